from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from apps.workspaces.admin import operator_workspaces
from apps.workspaces.models import Membership

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "language", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "language"]
    search_fields = ["username", "email", "first_name", "last_name"]
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("Preferences"), {"fields": ("language", "last_workspace")}))

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # Operators see the people of their own workspaces, nobody else's.
        colleagues = Membership.objects.filter(workspace__in=operator_workspaces(request.user)).values("user")
        return queryset.filter(pk__in=colleagues)
