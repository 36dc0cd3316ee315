from cxm.csp import HEADER, parse


def frame_ancestors(response) -> str:
    """The frame-ancestors directive of a response's Content-Security-Policy (the site-wide policy
    surrounds whatever a view set)."""
    return parse(response[HEADER]).get("frame-ancestors", "")
