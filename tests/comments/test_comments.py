"""Comments: who may read and write them on each kind of record, @mentions and who they reach, the edit
window, removal, the history, the pages and their query counts."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.comments import access, services
from app.comments.models import Comment
from app.extensions import db
from app.feedback import services as feedback_services
from app.feedback.services import FeedbackInput
from app.notifications.models import Notification
from tests.factories import UserFactory
from tests.queries import counting


@pytest.fixture
def project(make_project):
    return make_project(state="planned")


def words(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def notes_of(user) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id,
                                                                 Notification.kind == "mention")))


def post(user, kind_name, record, body, mentions=()):
    posted = services.post(user, access.KINDS[kind_name], record, body, [u.id for u in mentions])
    db.session.commit()
    return posted


# --- mentions ------------------------------------------------------------------------------------

def test_a_mention_tells_the_person_in_their_inbox_and_is_kept_by_id(project, people):
    posted = post(people["pm"], "campaign", project, "Ready to plan, @Sam Seller?\nSee the roadmap.", [people["sales"]])
    assert [u.id for u in posted.comment.mentioned] == [people["sales"].id]
    assert posted.unreached == []
    [note] = notes_of(people["sales"])
    assert note.subject == f"Priya Planner mentioned you on the campaign “{project.title}”"
    assert note.link == f"/campaigns/{project.id}#comment-{posted.comment.id}"
    assert note.email_status != "none" and note.in_app  # the outbox, by the person's settings for updates
    assert notes_of(people["pm"]) == []


def test_nobody_who_cannot_see_the_record_is_mentioned_or_told(project, people):
    posted = post(people["pm"], "campaign", project, "@Oscar Outsider and @Tara Teammate",
                  [people["outsider"], people["team"]])
    assert [u.name for u in posted.comment.mentioned] == ["Tara Teammate"]
    assert posted.unreached == ["Oscar Outsider"]
    assert notes_of(people["outsider"]) == []
    assert len(notes_of(people["team"])) == 1


def test_a_picked_person_whose_name_was_deleted_from_the_text_is_not_mentioned(project, people):
    posted = post(people["pm"], "campaign", project, "Never mind", [people["team"]])
    assert posted.comment.mentioned == []
    assert notes_of(people["team"]) == []


def test_a_deactivated_person_is_neither_suggested_nor_told(project, people):
    people["team"].active = False
    db.session.commit()
    kind = access.KINDS["campaign"]
    assert "Tara Teammate" not in [u.name for u in services.suggestions(kind, project, "ta")]
    post(people["pm"], "campaign", project, "@Tara Teammate", [people["team"]])
    assert notes_of(people["team"]) == []


def test_suggestions_are_people_who_may_see_the_record_at_most_ten(project, people):
    kind = access.KINDS["campaign"]
    assert [u.name for u in services.suggestions(kind, project, "p")] == ["Pat Product", "Priya Planner"]
    assert [u.name for u in services.suggestions(kind, project, "planner")] == ["Priya Planner"]  # a later word
    assert "Ada Admin" in [u.name for u in services.suggestions(kind, project, "")]  # admins see every campaign
    assert "Oscar Outsider" not in [u.name for u in services.suggestions(kind, project, "o")]
    for n in range(12):
        UserFactory(name=f"Zed Admin {n:02}", role=people["admin"].role)
    db.session.commit()
    assert len(services.suggestions(kind, project, "zed")) == services.SUGGESTIONS


def test_a_commitments_product_manager_may_be_mentioned_though_not_on_the_campaign(make_project, make_product,
                                                                                     people):
    from tests.commitments.test_views import recorded
    from tests.factories import RegionFactory
    south = RegionFactory(name="Southern Europe")
    product = make_product(coverage={south: "sellable"})
    project = make_project(state="planned", product_manager_ids=[])
    world = {"project": project, "product": product, "south": south}
    commitment = recorded(world, people)
    posted = post(people["sales"], "commitment", commitment, "@Pat Product can we?", [people["product"]])
    assert [u.name for u in posted.comment.mentioned] == ["Pat Product"]
    assert notes_of(people["product"])[0].link == f"/commitments/{commitment.id}#comment-{posted.comment.id}"


def test_an_edit_tells_only_the_people_it_newly_mentions(project, people, clock):
    posted = post(people["pm"], "campaign", project, "@Sam Seller", [people["sales"]])
    clock.advance(minutes=5)
    services.edit(people["pm"], access.KINDS["campaign"], project, posted.comment, "@Sam Seller and @Tara Teammate",
                  [people["sales"].id, people["team"].id])
    db.session.commit()
    assert len(notes_of(people["sales"])) == 1
    assert len(notes_of(people["team"])) == 1
    assert posted.comment.edited_at is not None


# --- the edit window, removal, the history ---------------------------------------------------------

def test_the_author_edits_for_ten_minutes_then_it_is_read_only(project, people, clock):
    comment = post(people["pm"], "campaign", project, "First thought").comment
    clock.advance(minutes=10)
    assert access.can_edit(people["pm"], comment, clock.now())
    assert not access.can_edit(people["sales"], comment, clock.now())
    clock.advance(seconds=1)
    assert not access.can_edit(people["pm"], comment, clock.now())
    with pytest.raises(Exception, match="first 10 minutes"):
        services.edit(people["pm"], access.KINDS["campaign"], project, comment, "Second thought")
    db.session.rollback()
    assert not access.can_remove(people["pm"], comment, clock.now())
    assert access.can_remove(people["admin"], comment, clock.now())


def test_removal_leaves_a_marker_and_every_step_is_in_the_campaigns_history(project, people, login):
    comment = post(people["pm"], "campaign", project, "Oops, @Sam Seller", [people["sales"]]).comment
    services.remove(people["pm"], access.KINDS["campaign"], project, comment)
    db.session.commit()
    assert comment.removed and comment.body == "" and comment.mentioned == []
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.project_id == project.id,
                                                                    AuditEvent.action.like("comment.%"))).all()
    assert sorted(actions) == ["comment.post", "comment.remove"]
    page = words(login(people["pm"]).get(f"/campaigns/{project.id}/history"))
    assert "Commented on the campaign" in page and "Removed a comment" in page
    shown = words(login(people["sales"]).get(f"/campaigns/{project.id}"))
    assert "Comment removed." in shown and "Oops" not in shown


# --- the pages ----------------------------------------------------------------------------------

def test_posting_on_the_campaign_page_escapes_the_text_and_highlights_the_mention(project, people, login):
    pm = login(people["pm"])
    response = pm.post(f"/comments/campaign/{project.id}",
                       data={"body": "<script>x</script> @Sam Seller see https://example.com/a?b=1.",
                             "mention_ids": [str(people["sales"].id)], "next": f"/campaigns/{project.id}"})
    comment = db.session.scalars(sa.select(Comment)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/campaigns/{project.id}#comment-{comment.id}")
    html = pm.get(f"/campaigns/{project.id}").get_data(as_text=True)
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x</script>" not in html
    assert '<span class="mention" title="' in html and ">@Sam Seller</span>" in html
    assert '<a href="https://example.com/a?b=1" rel="nofollow noopener noreferrer">' in html


def test_a_bad_comment_is_refused_with_the_fields_message_and_nothing_saved(project, people, login):
    pm = login(people["pm"])
    for body, message in (("", "Write something first."), ("x" * 4001, "4000"), ("a\x00b", "control character")):
        response = pm.post(f"/comments/campaign/{project.id}", data={"body": body})
        assert response.status_code == 400
        assert message in words(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


def test_another_projects_record_is_not_found(project, people, login):
    outsider = login(people["outsider"])
    assert outsider.post(f"/comments/campaign/{project.id}", data={"body": "hi"}).status_code == 404
    assert outsider.get(f"/comments/campaign/{project.id}").status_code == 404
    assert outsider.get(f"/comments/campaign/{project.id}/people?q=a").status_code == 404
    milestone = project.milestones[0]
    assert outsider.get(f"/comments/milestone/{milestone.id}").status_code == 404
    comment = post(people["pm"], "milestone", milestone, "On track").comment
    assert outsider.post(f"/comments/{comment.id}/remove").status_code == 404
    assert outsider.get(f"/comments/{comment.id}/edit").status_code == 404
    assert login(people["pm"]).get("/comments/nonsense/1").status_code == 404


def test_a_milestones_thread_is_a_page_linked_from_the_roadmap(project, people, login):
    milestone = project.milestones[0]
    pm = login(people["pm"])
    assert f"/comments/milestone/{milestone.id}" in pm.get(f"/campaigns/{project.id}").get_data(as_text=True)
    response = pm.post(f"/comments/milestone/{milestone.id}", data={"body": "Slipping a week", "next": ""})
    assert response.status_code == 302
    assert "Slipping a week" in words(pm.get(f"/comments/milestone/{milestone.id}"))


def test_feedback_is_commented_on_by_whoever_may_see_it(feedback_world, people, login):
    feedback = feedback_services.file_feedback(people["sales"], FeedbackInput(
        kind="feature_request", title="Needs SSO", region_id=feedback_world["region"].id,
        product_ids=(feedback_world["product"].id,)))
    db.session.commit()
    product = login(people["product"])
    assert product.post(f"/comments/feedback/{feedback.id}", data={"body": "@Sam Seller which IdP?",
                                                                   "mention_ids": str(people["sales"].id)}
                        ).status_code == 302
    assert "which IdP?" in words(login(people["sales"]).get(f"/feedback/{feedback.id}"))
    assert len(notes_of(people["sales"])) == 1
    assert login(people["team"]).post(f"/comments/feedback/{feedback.id}", data={"body": "x"}).status_code == 404


def test_edit_and_remove_through_the_pages(project, people, login, clock):
    pm = login(people["pm"])
    pm.post(f"/comments/campaign/{project.id}", data={"body": "Draft"})
    comment = db.session.scalars(sa.select(Comment)).one()
    assert pm.post(f"/comments/{comment.id}/edit", data={"body": "Final"}).status_code == 302
    db.session.refresh(comment)
    assert comment.body == "Final"
    assert "edited" in words(pm.get(f"/campaigns/{project.id}"))
    clock.advance(minutes=11)
    assert pm.post(f"/comments/{comment.id}/edit", data={"body": "Later"}).status_code == 302
    db.session.refresh(comment)
    assert comment.body == "Final"
    assert "Edit</a>" not in pm.get(f"/campaigns/{project.id}").get_data(as_text=True).split('id="comments"')[1]


def test_the_thread_shows_the_newest_fifty_and_pages_to_the_older(project, people, login):
    for n in range(55):
        db.session.add(Comment(kind="campaign", record_id=project.id, project_id=project.id,
                               author_id=people["pm"].id, body=f"Note number {n:02}"))
    db.session.commit()
    pm = login(people["pm"])
    page = words(pm.get(f"/campaigns/{project.id}"))
    assert "Note number 54" in page and "Note number 05" in page and "Note number 04" not in page
    assert "Older comments" in page
    older = words(pm.get(f"/comments/campaign/{project.id}?limit=50"))
    assert "Note number 54" in older and "Note number 04" not in older
    cursor = re.search(r'href="([^"]*cursor=[^"]*)"', pm.get(f"/comments/campaign/{project.id}").get_data(as_text=True))
    assert cursor is not None
    assert "Note number 04" in words(pm.get(cursor.group(1).replace("&amp;", "&")))


def test_a_page_with_many_comments_reads_them_in_constant_queries(project, people, login):
    pm = login(people["pm"])

    def add(count: int) -> None:
        for n in range(count):
            user = UserFactory(name=f"Commenter {n}")
            comment = Comment(kind="campaign", record_id=project.id, project_id=project.id, author_id=user.id,
                              body=f"@Sam Seller {n}")
            comment.mentioned = [people["sales"], user]
            db.session.add(comment)
        db.session.commit()

    add(2)
    with counting() as few:
        assert pm.get(f"/campaigns/{project.id}").status_code == 200
    add(20)
    with counting() as many:
        assert pm.get(f"/campaigns/{project.id}").status_code == 200
    assert len(many) == len(few)
