"""Upload size limits enforced while the body is read: an oversized file is refused with a message and
never written to memory or disk in full (a 1 GB "CSV" costs a few chunks, not a gigabyte)."""

from collections.abc import Callable
from functools import wraps

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.views.decorators.csrf import csrf_exempt, csrf_protect


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading a file upload once it passes `limit` bytes, so an oversized file is refused with a
    message instead of being written to disk first. Must come first in request.upload_handlers."""

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            # The fields before the file (the CSRF token) are kept; the rest of the body is read and dropped.
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def size_limited_upload(limit: Callable[[], int]):
    """Put a SizeLimitUploadHandler of limit() bytes in front of the view's uploads; upload_too_large(request)
    says whether it stopped reading a file. The CSRF check must come after the handler is in place (checking it reads
    the body), so the view is csrf_exempt on the outside and csrf_protect on the inside. Goes under
    workspace_view, whose wrapper carries csrf_exempt to the middleware."""

    def decorator(view):
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            request.upload_handlers.insert(0, SizeLimitUploadHandler(request, limit=limit()))
            return protected(request, *args, **kwargs)

        return wrapper

    return decorator


def upload_too_large(request) -> bool:
    """Whether a size_limited_upload view stopped reading a file of this request."""
    return any(isinstance(handler, SizeLimitUploadHandler) and handler.exceeded for handler in request.upload_handlers)
