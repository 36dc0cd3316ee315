import json

import pytest

pytestmark = pytest.mark.django_db


def test_the_openapi_document_lists_the_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "cxm API"
    paths = document["paths"]
    assert set(paths) == {"/api/v1/responses", "/api/v1/feedback", "/api/v1/kpis", "/api/v1/touchpoints"}
    assert set(paths["/api/v1/responses"]) == {"post"}
    assert set(paths["/api/v1/kpis"]) == {"get"}
    assert {"201", "401", "409", "422", "429"} <= set(paths["/api/v1/responses"]["post"]["responses"])
    schemes = document["components"]["securitySchemes"]
    assert any(scheme.get("scheme") == "bearer" for scheme in schemes.values())
    assert "docs/assets" not in json.dumps(paths)


def test_the_docs_work_offline(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "https://" not in html and "http://" not in html and "//cdn" not in html
    for asset, kind in (("swagger-ui-bundle.js", "text/javascript"), ("swagger-ui.css", "text/css"),
                        ("swagger-ui-init.js", "text/javascript")):
        assert f"/api/v1/docs/assets/{asset}" in html
        served = client.get(f"/api/v1/docs/assets/{asset}")
        assert served.status_code == 200
        assert served["Content-Type"].startswith(kind)
        assert b"".join(served.streaming_content)


@pytest.mark.parametrize("name", ["../__init__.py", "redoc.standalone.js", "settings.py", "%2e%2e%2fmain.py"])
def test_only_the_docs_files_are_served(client, name):
    assert client.get(f"/api/v1/docs/assets/{name}").status_code == 404
