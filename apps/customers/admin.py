from django.contrib import admin

from apps.workspaces.admin import WorkspaceScopedAdmin

from .models import Customer, CustomerImport


@admin.register(Customer)
class CustomerAdmin(WorkspaceScopedAdmin):
    list_display = ["external_id", "name", "email", "phone", "language", "consent", "workspace", "updated_at"]
    list_filter = ["workspace", "consent", "language"]
    search_fields = ["external_id", "name", "email", "phone"]
    list_select_related = ["workspace"]


@admin.register(CustomerImport)
class CustomerImportAdmin(WorkspaceScopedAdmin):
    list_display = ["file_name", "workspace", "status", "total_rows", "created_count", "updated_count",
                    "error_count", "created_at"]
    list_filter = ["workspace", "status", "created_at"]
    search_fields = ["file_name"]
    exclude = ["content"]
    readonly_fields = ["errors", "failure", "failure_code", "failure_params"]
