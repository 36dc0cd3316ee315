
import pytest

from apps.customers import services
from apps.customers.models import CustomerImport
from tests.factories import CustomerImportFactory


@pytest.fixture
def import_csv(workspace):
    """Run the import job in-process on `content` (bytes or str, str is encoded as UTF-8)."""

    def run(content, *, encoding: str = "utf-8", user=None, file_name: str = "customers.csv") -> CustomerImport:
        if isinstance(content, str):
            content = content.encode(encoding)
        customer_import = CustomerImportFactory(workspace=workspace, content=content, uploaded_by=user,
                                                file_name=file_name)
        return services.customer_import_run(import_id=customer_import.pk)

    return run
