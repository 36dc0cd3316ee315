from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_link(context, number: int) -> str:
    """The link to page `number` of a list, keeping its filters: the page's `query` (a query string without
    the page, as a view that also answers POSTs builds it) when it has one, else the request's own."""
    query = context.get("query")
    if query is None:
        params = context.request.GET.copy()
        params.pop("page", None)
        query = params.urlencode()
    return f"?{query}&page={number}" if query else f"?page={number}"
