"""QR codes of a survey's public link, for posters, receipts and table tents."""

import io

import segno


def qr_code(url: str, *, kind: str) -> bytes:
    """The link as a QR code, "svg" or "png". Error correction M survives a small logo or a scuff."""
    code = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    if kind == "svg":
        code.save(buffer, kind="svg", scale=8, border=2, xmldecl=False, svgns=True, title=url)
    else:
        code.save(buffer, kind="png", scale=10, border=2)
    return buffer.getvalue()
