from datetime import date, timedelta
from app.extensions import db

def show(r):
    print(r.status_code, r.headers.get("Content-Type"), r.get_data(as_text=True)[:300])

def test_probe(api, people, make_project, client, login, app, monkeypatch):
    a = api(people["sales"])
    p = make_project()
    h = {**a.headers(), "Content-Type": "application/json"}
    show(a.client.post("/api/v1/projects", data="[" * 100000 + "]" * 100000, headers=h))
    show(a.client.post("/api/v1/projects", data=b"\xff\xfe{", headers=h))
    show(a.client.post("/api/v1/projects", data=b"", headers=h))
    show(a.client.post(f"/api/v1/projects/{p.id}/transitions", data=b"null", headers=h))
    show(a.client.patch(f"/api/v1/projects/{p.id}", data=b'{"version": 1, "title": "a", "title": "b"}', headers=h))
    show(a.client.patch(f"/api/v1/projects/{p.id}", data=b'{"version": 2, "goal_target": NaN}', headers=h))
