"""Tag rules: auto-tagging at creation, set-based re-tagging when a rule changes; the admin page."""

import pytest

from apps.feedback import services
from apps.feedback.models import FeedbackTag, Tag, TagRule

from .factories import FeedbackItemFactory, TagFactory, TagRuleFactory

pytestmark = pytest.mark.django_db


def test_changing_a_rule_retags_everything_and_keeps_manual_tags(workspace, django_capture_on_commit_callbacks):
    tag = TagFactory(workspace=workspace, name="배송 / delivery")
    delivery = FeedbackItemFactory(workspace=workspace, text="배송이 빨라요")
    english = FeedbackItemFactory(workspace=workspace, text="Quick DELIVERY")
    price = FeedbackItemFactory(workspace=workspace, text="요금이 비싸요")
    FeedbackTag.objects.create(workspace=workspace, item=price, tag=tag, auto=False)  # by hand
    with django_capture_on_commit_callbacks(execute=True):
        services.tag_rule_set(tag=tag, keywords="배송, delivery")
    assert set(FeedbackTag.objects.values_list("item", "auto")) == {(delivery.pk, True), (english.pk, True),
                                                                    (price.pk, False)}
    with django_capture_on_commit_callbacks(execute=True):
        services.tag_rule_set(tag=tag, keywords="delivery")
    assert set(FeedbackTag.objects.values_list("item", flat=True)) == {english.pk, price.pk}
    with django_capture_on_commit_callbacks(execute=True):
        services.tag_rule_set(tag=tag, keywords="")
    assert list(FeedbackTag.objects.values_list("item", flat=True)) == [price.pk]
    assert not TagRule.objects.exists()


def test_reapplying_is_idempotent_and_set_based(workspace, django_assert_max_num_queries):
    rule = TagRuleFactory(tag__workspace=workspace, keywords="late\nslow")
    FeedbackItemFactory.create_batch(50, workspace=workspace, text="It was late")
    with django_assert_max_num_queries(8):
        added = services.tag_rules_reapply(workspace=workspace, tag=rule.tag)
    assert added == 50
    assert services.tag_rules_reapply(workspace=workspace, tag=rule.tag) == 0
    assert FeedbackTag.objects.count() == 50


def test_an_inactive_rule_tags_nothing(workspace):
    rule = TagRuleFactory(tag__workspace=workspace, keywords="late", is_active=False)
    FeedbackItemFactory(workspace=workspace, text="late")
    services.tag_rules_reapply(workspace=workspace)
    assert not FeedbackTag.objects.filter(tag=rule.tag).exists()


def test_admins_manage_tags_and_rules(client, workspace, alice, django_capture_on_commit_callbacks):
    FeedbackItemFactory(workspace=workspace, text="앱이 튕겨요")
    client.force_login(alice)
    created = client.post(f"/w/{workspace.slug}/feedback/tags/", {"name": "앱 오류", "colour": "#EF4444"})
    assert created.status_code == 302
    tag = Tag.objects.get(name="앱 오류")
    duplicate = client.post(f"/w/{workspace.slug}/feedback/tags/", {"name": "앱 오류", "colour": "#EF4444"})
    assert duplicate.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/w/{workspace.slug}/feedback/tags/{tag.pk}/rule/",
                    {f"tag{tag.pk}-keywords": "튕겨, crash", f"tag{tag.pk}-is_active": "on"})
    assert TagRule.objects.get(tag=tag).keyword_list == ["튕겨", "crash"]
    assert FeedbackTag.objects.filter(tag=tag).count() == 1
    page = client.get(f"/w/{workspace.slug}/feedback/tags/")
    assert "튕겨, crash" in page.content.decode()
    client.post(f"/w/{workspace.slug}/feedback/tags/{tag.pk}/delete/")
    assert not FeedbackTag.objects.exists()


@pytest.mark.parametrize("user", ["bob", "vera"])
def test_analysts_and_viewers_may_not_manage_tags(client, workspace, user, request):
    tag = TagFactory(workspace=workspace)
    client.force_login(request.getfixturevalue(user))
    assert client.get(f"/w/{workspace.slug}/feedback/tags/").status_code == 403
    assert client.post(f"/w/{workspace.slug}/feedback/tags/{tag.pk}/delete/").status_code == 403
