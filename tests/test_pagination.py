"""components/pagination.html: one set of previous / next links for every list, keeping its filters."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def render(path: str, **context) -> str:
    request = RequestFactory().get(path)
    page = Paginator(list(range(50)), 10).get_page(request.GET.get("page"))
    return render_to_string("components/pagination.html", {"page": page, **context}, request=request)


def test_links_keep_the_request_filters_and_replace_the_page():
    html = render("/list/?status=failed&page=3")
    assert 'href="?status=failed&amp;page=2"' in html and 'href="?status=failed&amp;page=4"' in html
    assert "Page 3 of 5" in html and "hx-get" not in html


def test_a_query_given_by_the_view_wins_over_the_request():
    # A list re-rendered after a POST (bulk tagging) carries its filters in `query`, not in the request.
    html = render("/list/?page=2", query="theme=delivery")
    assert 'href="?theme=delivery&amp;page=1"' in html and 'href="?theme=delivery&amp;page=3"' in html


def test_with_a_target_the_links_swap_it_with_htmx():
    html = render("/list/", target="#case-results", swap="outerHTML", link_class="button small")
    assert 'href="?page=2"' in html and 'hx-get="?page=2"' in html and 'hx-target="#case-results"' in html
    assert 'hx-swap="outerHTML"' in html and 'class="button small"' in html and "Previous" not in html


def test_a_single_page_has_no_links():
    request = RequestFactory().get("/list/")
    page = Paginator([1, 2], 10).get_page(1)
    assert "pagination" not in render_to_string("components/pagination.html", {"page": page}, request=request)
