"""Who gets what from every route: the authorization matrix, generated from ``app.url_map``.

Each row is one method of one route, with the answer for someone signed out, then for each role
on their own records, then on someone else's (tests/authz_world.py builds both sides: the five
people are all on campaign *Ours*; *Theirs* and its records belong to other people; person-bound
records — notifications, calendar links, API tokens, sign-in sessions — are the outsider's). The rules it states:

- Signed out: the API answers 401, a page sends to ``/login`` (``login``); only the sign-in and password-reset pages,
  static files and the secret-token URLs (calendar feeds, email preferences: a wrong token is a 404)
  answer without a session.
- Another campaign's record (and another person's notification, link or token) is **404**, for
  reading and writing alike, and the write changes nothing: Countersign never confirms that
  someone else's record exists. Admins see every campaign, but never someone's inbox, links or tokens
  (the admin pages list those apart).
- What everyone reads but only some may change (the catalog, feedback, briefings, product updates)
  is a **403** in the API and, on a page, a redirect back with a message (``302``), nothing written.
- Pages only for some roles (admin pages, the triage queue, reports) are a 404 to the others.
- A record names a related record only to who could open it on its own (feedback's milestone and
  campaign, a duplicate's original, a calendar link's campaign). One deliberate exception: a
  commitment carries its campaign's title and its milestone's title, date and state to the
  product manager who countersigns it without being on the campaign, because judging whether the
  promise can be kept is reading exactly those.

Cells: a status code; ``login`` a redirect to the sign-in page; ``302`` a redirect elsewhere; ``.``
not walked here (writes to one's own records: each feature's tests); ``-`` no such side (the route
names no record of anyone's). A ``*`` after a code means the write takes effect (the reader may take
that step on a shared record); every other write to someone else's record must leave the database as
it was. Writes send an empty body (``{}`` to the API), so a 400 means "you got past the checks".

A route added without a row fails ``test_every_route_has_a_row``; the failure of a role's walk
prints the rows as the app answers them today, to review against the rules above and paste.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.test import TestResponse

from app.extensions import db
from tests import authz_world
from tests.authz_world import ROLES, World
from tests.factories import PASSWORD
from tests.fixtures.clients import RequestClient

MATRIX = """
#                                                                             signed  own records:               someone else's:
#      route                                                                  out   | admin sales pm prod team | admin sales pm prod team
GET    /                                                                      login | 200  200  200  200  200  | -
GET    /admin/calendars                                                       login | 200  404  404  404  404  | -
POST   /admin/calendars/<int:feed_id>/revoke                                  login | .                        | .    404  404  404  404
POST   /admin/calendars/switch                                                login | .                        | -
GET    /admin/publishing                                                      login | 200  404  404  404  404  | -
POST   /admin/publishing                                                      login | .                        | -
POST   /admin/publishing/<int:publishing_token_id>/revoke                     login | .                        | -
GET    /admin/jobs/                                                           login | 200  404  404  404  404  | -
POST   /admin/jobs/emails/<int:notification_id>/discard                       login | .                        | 302  404  404  404  404
POST   /admin/jobs/emails/<int:notification_id>/retry                         login | .                        | 302  404  404  404  404
POST   /admin/jobs/emails/retry                                               login | .                        | -
POST   /admin/jobs/failed/<job_id>/delete                                     login | .                        | -
POST   /admin/jobs/failed/<job_id>/retry                                      login | .                        | -
GET    /admin/jobs/mailbox                                                    login | 200  404  404  404  404  | -
GET    /admin/jobs/mailbox/<name>                                             login | 404  404  404  404  404  | -  # no such message in the world
GET    /admin/teams/                                                          login | 200  404  404  404  404  | -
POST   /admin/teams/                                                          login | .                        | -
GET    /admin/teams/<int:team_id>                                             login | 200  404  404  404  404  | -
POST   /admin/teams/<int:team_id>                                             login | .                        | -
POST   /admin/teams/<int:team_id>/delete                                      login | .                        | -
POST   /admin/teams/<int:team_id>/members                                     login | .                        | -
POST   /admin/teams/<int:team_id>/members/<int:user_id>/remove                login | .                        | 302  404  404  404  404  # the outsider is in no team: nothing to change
POST   /admin/teams/people/<int:user_id>                                      login | .                        | 302  404  404  404  404  # the outsider is placed nowhere, and stays so
GET    /admin/regions/                                                        login | 200  404  404  404  404  | -
POST   /admin/regions/                                                        login | .                        | -
GET    /admin/regions/<int:region_id>                                         login | 200  404  404  404  404  | -
POST   /admin/regions/<int:region_id>                                         login | .                        | -
GET    /admin/users                                                           login | 200  404  404  404  404  | -
GET    /admin/users/<int:user_id>                                             login | 200  404  404  404  404  | 200  404  404  404  404
POST   /admin/users/<int:user_id>                                             login | .                        | 302  404  404  404  404
POST   /admin/users/<int:user_id>/unlock                                      login | .                        | 302  404  404  404  404  # nothing locked in the world: nothing to change
POST   /admin/users/<int:user_id>/two-factor/off                              login | .                        | 302  404  404  404  404  # nobody has two-factor in the world: nothing to change
GET    /admin/users/new                                                       login | 200  404  404  404  404  | -
POST   /admin/users/new                                                       login | .                        | -
GET    /admin/users/two-factor                                                login | 200  404  404  404  404  | -
POST   /admin/users/two-factor                                                login | .                        | -
GET    /api/docs                                                              200   | 200  200  200  200  200  | -  # the API's reference: shapes, never data
GET    /api/docs/assets/<name>                                                404   | 404  404  404  404  404  | -  # only the viewer's own files
GET    /api/v1/briefings                                                      401   | 200  200  200  200  200  | -
POST   /api/v1/briefings                                                      401   | .                        | -
DELETE /api/v1/briefings/<int:briefing_id>                                    401   | .                        | .    403  403  403  403
GET    /api/v1/briefings/<int:briefing_id>                                    401   | 200  200  200  200  200  | 200  200  200  200  200
PATCH  /api/v1/briefings/<int:briefing_id>                                    401   | .                        | 400  403  403  403  403
GET    /api/v1/calendar-feeds                                                 401   | 200  200  200  200  200  | -
POST   /api/v1/calendar-feeds                                                 401   | .                        | -
DELETE /api/v1/calendar-feeds/<int:feed_id>                                   401   | .                        | 404  404  404  404  404
GET    /api/v1/commitments                                                    401   | 200  200  200  200  200  | -  # what each may see: tests/commitments/test_across.py
GET    /api/v1/commitments/<int:commitment_id>                                401   | 200  200  200  200  200  | 200  404  404  404  404
PATCH  /api/v1/commitments/<int:commitment_id>                                401   | .                        | 400  404  404  404  404
POST   /api/v1/commitments/<int:commitment_id>/transitions                    401   | .                        | 400  404  404  404  404
GET    /api/v1/feedback                                                       401   | 200  200  200  200  200  | -
POST   /api/v1/feedback                                                       401   | .                        | -
GET    /api/v1/feedback/<int:feedback_id>                                     401   | 200  200  404  200  404  | 200  200  404  200  404
POST   /api/v1/feedback/<int:feedback_id>/triage                              401   | .                        | 400  403  404  403  404
GET    /api/v1/feedback/triage-queue                                          401   | 200  200  200  200  200  | -
GET    /api/v1/me                                                             401   | 200  200  200  200  200  | -
GET    /api/v1/notification-preferences                                       401   | 200  200  200  200  200  | -
PUT    /api/v1/notification-preferences                                       401   | .                        | -
GET    /api/v1/notifications                                                  401   | 200  200  200  200  200  | -
POST   /api/v1/notifications/<int:notification_id>/read                       401   | .                        | 404  404  404  404  404
POST   /api/v1/notifications/read                                             401   | .                        | -
GET    /api/v1/openapi.json                                                   200   | 200  200  200  200  200  | -  # public, like /api/docs
GET    /api/v1/product-updates                                                401   | 200  200  200  200  200  | -
POST   /api/v1/product-updates                                                401   | .                        | -
GET    /api/v1/product-updates/<int:update_id>                                401   | 200  200  200  200  200  | 200  200  200  200  200
POST   /api/v1/product-updates/<int:update_id>/acknowledge                    401   | .                        | 403  200* 403  403  403
GET    /api/v1/published/catalog                                              401   | 401  401  401  401  401  | -  # a publishing token only: no session, no personal token
GET    /api/v1/published/products/<int:product_id>                            401   | 401  401  401  401  401  | 401  401  401  401  401
GET    /api/v1/products                                                       401   | 200  200  200  200  200  | -
POST   /api/v1/products                                                       401   | .                        | -
GET    /api/v1/products/<int:product_id>                                      401   | 200  200  200  200  200  | 200  200  200  200  200
PATCH  /api/v1/products/<int:product_id>                                      401   | .                        | 400  403  403  403  403
POST   /api/v1/products/<int:product_id>/bands                                401   | .                        | 400  403  403  403  403
DELETE /api/v1/products/<int:product_id>/bands/<int:band_id>                  401   | .                        | .    403  403  403  403
PATCH  /api/v1/products/<int:product_id>/bands/<int:band_id>                  401   | .                        | .    403  403  403  403
PUT    /api/v1/products/<int:product_id>/coverage/<int:region_id>             401   | .                        | 400  403  403  403  403
POST   /api/v1/products/<int:product_id>/links                                401   | .                        | 400  403  403  403  403
DELETE /api/v1/products/<int:product_id>/links/<int:link_id>                  401   | .                        | .    403  403  403  403
GET    /api/v1/projects                                                       401   | 200  200  200  200  200  | -
POST   /api/v1/projects                                                       401   | .                        | -
POST   /api/v1/projects/<int:project_id>/clone                                401   | .                        | 201* 404  404  404  404  # admins see every campaign, so may clone it
GET    /api/v1/projects/<int:project_id>                                      401   | 200  200  200  200  200  | 200  404  404  404  404
PATCH  /api/v1/projects/<int:project_id>                                      401   | .                        | 400  404  404  404  404
GET    /api/v1/projects/<int:project_id>/actuals                              401   | 200  200  200  200  200  | 200  404  404  404  404
POST   /api/v1/projects/<int:project_id>/actuals                              401   | .                        | 400  404  404  404  404
GET    /api/v1/projects/<int:project_id>/baselines                            401   | 200  200  200  200  200  | 200  404  404  404  404
POST   /api/v1/projects/<int:project_id>/baselines                            401   | .                        | 400  404  404  404  404
GET    /api/v1/projects/<int:project_id>/baselines/<int:number>               401   | 200  200  200  200  200  | 200  404  404  404  404
GET    /api/v1/projects/<int:project_id>/baselines/<int:number>/comparison    401   | 200  200  200  200  200  | 200  404  404  404  404
GET    /api/v1/projects/<int:project_id>/changes                              401   | 200  200  200  200  200  | 200  404  404  404  404
GET    /api/v1/projects/<int:project_id>/commitments                          401   | 200  200  200  200  200  | 200  404  404  404  404
POST   /api/v1/projects/<int:project_id>/commitments                          401   | .                        | 400  404  404  404  404
GET    /api/v1/projects/<int:project_id>/expenses                             401   | 200  200  200  200  200  | 200  404  404  404  404
POST   /api/v1/projects/<int:project_id>/expenses                             401   | .                        | 400  404  404  404  404
GET    /api/v1/projects/<int:project_id>/history                              401   | 200  200  200  200  200  | 200  404  404  404  404
GET    /api/v1/projects/<int:project_id>/milestones                           401   | 200  200  200  200  200  | 200  404  404  404  404
POST   /api/v1/projects/<int:project_id>/milestones                           401   | .                        | 400  404  404  404  404
GET    /api/v1/projects/<int:project_id>/milestones/<int:milestone_id>        401   | 200  200  200  200  200  | 200  404  404  404  404
PATCH  /api/v1/projects/<int:project_id>/milestones/<int:milestone_id>        401   | .                        | 400  404  404  404  404
POST   /api/v1/projects/<int:project_id>/milestones/<int:milestone_id>/move   401   | .                        | 400  404  404  404  404
POST   /api/v1/projects/<int:project_id>/milestones/<int:milestone_id>/tasks  401   | .                        | 400  404  404  404  404
POST   /api/v1/projects/<int:project_id>/milestones/<int:milestone_id>/transitions 401   | .                        | 400  404  404  404  404
PUT    /api/v1/projects/<int:project_id>/mute                                 401   | .                        | 404  404  404  404  404
POST   /api/v1/projects/<int:project_id>/replan                               401   | .                        | 400  404  404  404  404
DELETE /api/v1/projects/<int:project_id>/tasks/<int:task_id>                  401   | .                        | .    404  404  404  404
PATCH  /api/v1/projects/<int:project_id>/tasks/<int:task_id>                  401   | .                        | .    404  404  404  404
GET    /api/v1/projects/<int:project_id>/imports                              401   | 200  200  200  404  404  | 200  404  404  404  404
POST   /api/v1/projects/<int:project_id>/imports                              401   | .                        | 400  404  404  404  404
GET    /api/v1/projects/<int:project_id>/imports/<int:run_id>                 401   | 200  200  200  404  404  | 200  404  404  404  404
GET    /api/v1/projects/<int:project_id>/imports/<int:run_id>/errors          401   | 200  200  200  404  404  | 200  404  404  404  404
PUT    /api/v1/projects/<int:project_id>/imports/<int:run_id>/mapping         401   | .                        | 200* 404  404  404  404  # admins import into any open campaign
POST   /api/v1/projects/<int:project_id>/imports/<int:run_id>/preview         401   | .                        | 409  404  404  404  404
POST   /api/v1/projects/<int:project_id>/imports/<int:run_id>/start           401   | .                        | 409  404  404  404  404
POST   /api/v1/projects/<int:project_id>/transitions                          401   | .                        | 400  404  404  404  404
GET    /api/v1/reports                                                        401   | 200  200  200  200  404  | -
GET    /api/v1/reports/team-coverage                                          401   | 200  200  200  200  404  | -
GET    /api/v1/search                                                         401   | 400  400  400  400  400  | -  # the empty query is a 400 naming q; what each finds: tests/search
GET    /api/v1/teams                                                          401   | 200  200  200  200  200  | -
POST   /api/v1/teams                                                          401   | .                        | -
DELETE /api/v1/teams/<int:team_id>                                            401   | .                        | -
GET    /api/v1/teams/<int:team_id>                                            401   | 200  200  200  200  200  | -
PATCH  /api/v1/teams/<int:team_id>                                            401   | .                        | -
GET    /api/v1/teams/<int:team_id>/members                                    401   | 200  200  200  200  200  | -
POST   /api/v1/teams/<int:team_id>/members                                    401   | .                        | -
DELETE /api/v1/teams/<int:team_id>/members/<int:user_id>                      401   | .                        | 400  403  403  403  403  # the outsider is in no team
GET    /api/v1/signoff-queue                                                  401   | 200  200  200  200  200  | -
GET    /api/v1/templates                                                      401   | 200  200  200  200  200  | -
GET    /briefings/                                                            login | 200  200  200  200  200  | -
GET    /briefings/<int:briefing_id>                                           login | 200  200  200  200  200  | 200  200  200  200  200
POST   /briefings/<int:briefing_id>/delete                                    login | .                        | .    404  404  404  404
GET    /briefings/<int:briefing_id>/edit                                      login | 200  404  404  200  404  | 200  404  404  404  404  # edit pages of shared records: 404 to who may not change them
POST   /briefings/<int:briefing_id>/edit                                      login | .                        | 200  404  404  404  404
POST   /briefings/<int:briefing_id>/materials                                 login | .                        | 200  404  404  404  404
GET    /briefings/<int:briefing_id>/materials/<int:material_id>               login | 200  200  200  200  200  | 200  200  200  200  200
POST   /briefings/<int:briefing_id>/materials/<int:material_id>/delete        login | .                        | .    404  404  404  404
GET    /briefings/new                                                         login | 200  404  404  200  404  | -
POST   /briefings/new                                                         login | .                        | -
GET    /calendars/v1/<token>.ics                                              404   | 200  200  200  200  200  | -  # the secret token is the key: a wrong one is a 404
GET    /campaigns/                                                            login | 200  200  200  200  200  | -
GET    /campaigns/<int:project_id>                                            login | 200  200  200  200  200  | 200  404  404  404  404
POST   /campaigns/<int:project_id>/actuals                                    login | .                        | 302  404  404  404  404
POST   /campaigns/<int:project_id>/baselines                                  login | .                        | 302  404  404  404  404
GET    /campaigns/<int:project_id>/changes                                    login | 200  200  200  200  200  | 200  404  404  404  404
GET    /campaigns/<int:project_id>/changes.csv                                login | 200  200  200  200  200  | 200  404  404  404  404
POST   /campaigns/<int:project_id>/commitments/checks                         login | .                        | 404  404  404  404  404  # the form's live checks: only who may record asks, nothing written
GET    /campaigns/<int:project_id>/commitments/new                            login | 302  200  302  302  302  | 302  404  404  404  404
POST   /campaigns/<int:project_id>/commitments/new                            login | .                        | 302  404  404  404  404
GET    /campaigns/<int:project_id>/edit                                       login | 200  200  200  302  302  | 200  404  404  404  404
GET    /campaigns/<int:project_id>/clone                                      login | 200  200  200  404  404  | 200  404  404  404  404  # who may launch a campaign clones one they see
POST   /campaigns/<int:project_id>/clone                                      login | .                        | 200  404  404  404  404  # an empty form is shown again: nothing made
GET    /campaigns/<int:project_id>/milestones/<int:milestone_id>.ics          login | 200  200  200  200  200  | 200  404  404  404  404
GET    /campaigns/<int:project_id>/tasks/<int:task_id>.ics                    login | 200  200  200  200  200  | 200  404  404  404  404
POST   /campaigns/<int:project_id>/edit                                       login | .                        | 200  404  404  404  404
POST   /campaigns/<int:project_id>/expenses                                   login | .                        | 302  404  404  404  404
GET    /campaigns/<int:project_id>/history                                    login | 200  200  200  200  200  | 200  404  404  404  404
GET    /campaigns/<int:project_id>/imports/                                   login | 200  200  200  404  404  | 200  404  404  404  404
POST   /campaigns/<int:project_id>/imports/                                   login | .                        | 200  404  404  404  404
GET    /campaigns/<int:project_id>/imports/<int:run_id>                       login | 200  200  200  404  404  | 200  404  404  404  404
GET    /campaigns/<int:project_id>/imports/<int:run_id>/mapping               login | 200  200  200  404  404  | 200  404  404  404  404
POST   /campaigns/<int:project_id>/imports/<int:run_id>/mapping               login | .                        | 200  404  404  404  404
POST   /campaigns/<int:project_id>/imports/<int:run_id>/preview               login | .                        | 302  404  404  404  404
POST   /campaigns/<int:project_id>/imports/<int:run_id>/start                 login | .                        | 302  404  404  404  404
GET    /campaigns/<int:project_id>/imports/<int:run_id>/status.json           login | 200  200  200  404  404  | 200  404  404  404  404
POST   /campaigns/<int:project_id>/members                                    login | .                        | 302  404  404  404  404
POST   /campaigns/<int:project_id>/members/<int:user_id>/remove               login | .                        | 302  404  404  404  404
POST   /campaigns/<int:project_id>/milestones/<int:milestone_id>/delete       login | .                        | 302  404  404  404  404
GET    /campaigns/<int:project_id>/milestones/<int:milestone_id>/edit         login | 200  200  200  200  200  | 200  404  404  404  404
POST   /campaigns/<int:project_id>/milestones/<int:milestone_id>/edit         login | .                        | 200  404  404  404  404
POST   /campaigns/<int:project_id>/milestones/<int:milestone_id>/move         login | .                        | .    404  404  404  404
POST   /campaigns/<int:project_id>/milestones/<int:milestone_id>/tasks        login | .                        | 302  404  404  404  404
POST   /campaigns/<int:project_id>/milestones/<int:milestone_id>/transition   login | .                        | 302  404  404  404  404
GET    /campaigns/<int:project_id>/milestones/new                             login | 200  200  200  200  200  | 200  404  404  404  404
POST   /campaigns/<int:project_id>/milestones/new                             login | .                        | 200  404  404  404  404
POST   /campaigns/<int:project_id>/milestones/tasks/<int:task_id>/delete      login | .                        | .    404  404  404  404
POST   /campaigns/<int:project_id>/milestones/tasks/<int:task_id>/done        login | .                        | 302  404  404  404  404
GET    /campaigns/<int:project_id>/milestones/tasks/<int:task_id>/edit        login | 200  200  200  200  200  | 200  404  404  404  404
POST   /campaigns/<int:project_id>/milestones/tasks/<int:task_id>/edit        login | .                        | 302  404  404  404  404
GET    /campaigns/<int:project_id>/replan                                     login | 200  200  200  404  404  | 200  404  404  404  404  # to members who may not re-plan, the page does not exist (roadmap/views.py)
POST   /campaigns/<int:project_id>/replan                                     login | .                        | 200  404  404  404  404
GET    /campaigns/<int:project_id>/timeline.svg                               login | 200  200  200  200  200  | 200  404  404  404  404
POST   /campaigns/<int:project_id>/transition                                 login | .                        | 302  404  404  404  404
GET    /campaigns/new                                                         login | 200  200  200  404  404  | -
GET    /campaigns/new/<template_key>                                          login | 200  200  200  404  404  | -
POST   /campaigns/new/<template_key>                                          login | .                        | -
GET    /catalog/                                                              login | 200  200  200  200  200  | -
POST   /catalog/<int:product_id>/bands                                        login | .                        | 302  404  404  404  404
POST   /catalog/<int:product_id>/bands/<int:band_id>                          login | .                        | 302  404  404  404  404
POST   /catalog/<int:product_id>/bands/<int:band_id>/delete                   login | .                        | .    404  404  404  404
POST   /catalog/<int:product_id>/coverage                                     login | .                        | 302  404  404  404  404
GET    /catalog/<int:product_id>/sales-sheet                                  login | 200  200  200  200  200  | 200  200  200  200  200
GET    /catalog/<int:product_id>/edit                                         login | 200  404  404  200  404  | 200  404  404  404  404
POST   /catalog/<int:product_id>/edit                                         login | .                        | 200  404  404  404  404
POST   /catalog/<int:product_id>/links                                        login | .                        | 302  404  404  404  404
POST   /catalog/<int:product_id>/links/<int:link_id>/delete                   login | .                        | .    404  404  404  404
GET    /catalog/new                                                           login | 200  404  404  200  404  | -
POST   /catalog/new                                                           login | .                        | -
GET    /api/v1/campaigns/<int:project_id>/comments                             401   | 200  200  200  200  200  | 200  404  404  404  404
POST   /api/v1/campaigns/<int:project_id>/comments                             401   | 400  400  400  400  400  | 400  404  404  404  404
GET    /api/v1/milestones/<int:milestone_id>/comments                          401   | 200  200  200  200  200  | 200  404  404  404  404
POST   /api/v1/milestones/<int:milestone_id>/comments                          401   | 400  400  400  400  400  | 400  404  404  404  404
GET    /api/v1/commitments/<int:commitment_id>/comments                        401   | 200  200  200  200  200  | 200  404  404  404  404
POST   /api/v1/commitments/<int:commitment_id>/comments                        401   | 400  400  400  400  400  | 400  404  404  404  404
GET    /api/v1/feedback/<int:feedback_id>/comments                             401   | 200  200  404  200  404  | 200  200  404  200  404
POST   /api/v1/feedback/<int:feedback_id>/comments                             401   | 400  400  404  400  404  | 400  400  404  400  404
PATCH  /api/v1/comments/<int:comment_id>                                       401   | .                        | 403  404  404  404  404
DELETE /api/v1/comments/<int:comment_id>                                       401   | .                        | 204* 404  404  404  404
GET    /comments/<kind>/<int:record_id>                                        login | 200  200  200  200  200  | 200  404  404  404  404
POST   /comments/<kind>/<int:record_id>                                        login | 400  400  400  400  400  | 400  404  404  404  404
GET    /comments/<kind>/<int:record_id>/people                                 login | 200  200  200  200  200  | 200  404  404  404  404
GET    /comments/<int:comment_id>/edit                                         login | .                        | 302  404  404  404  404
POST   /comments/<int:comment_id>/edit                                         login | .                        | 302  404  404  404  404
POST   /comments/<int:comment_id>/remove                                       login | .                        | 302* 404  404  404  404
GET    /commitments                                                           login | 200  200  200  200  200  | -  # what each may see: tests/commitments/test_across.py
GET    /api/v1/customers                                                      401   | 200  200  200  200  404  | -
POST   /api/v1/customers                                                      401   | .                        | -
GET    /api/v1/customers/<int:customer_id>                                    401   | 200  200  200  200  404  | -  # customers are the company's: the same to every side
PATCH  /api/v1/customers/<int:customer_id>                                    401   | .                        | -
POST   /api/v1/customers/<int:customer_id>/merge                              401   | .                        | -
PUT    /api/v1/customers/external/<any(salesforce,hubspot,other):source>/<external_id> 401   | .                        | -
PUT    /api/v1/commitments/external/<any(salesforce,hubspot,other):source>/<deal_id> 401   | .                        | -
GET    /customers                                                             login | 200  200  200  200  404  | -  # a team member who does not sell sees no customer
GET    /customers/<int:customer_id>                                           login | 200  200  200  200  404  | -
GET    /customers/<int:customer_id>/edit                                      login | 200  200  302  302  404  | -  # others read it, and are sent back
POST   /customers/<int:customer_id>/edit                                      login | .                        | -
GET    /customers/<int:customer_id>/merge                                     login | 200  200  404  404  404  | -
POST   /customers/<int:customer_id>/merge                                     login | .                        | -
GET    /customers/duplicates                                                  login | 200  200  404  404  404  | -
GET    /customers/new                                                         login | 200  200  302  302  404  | -
POST   /customers/new                                                         login | .                        | -
GET    /customers/suggest                                                     login | 200  200  200  200  404  | -
GET    /commitments.csv                                                       login | 200  200  200  200  200  | -
GET    /commitments/<int:commitment_id>                                       login | 200  200  200  200  200  | 200  404  404  404  404
POST   /commitments/<int:commitment_id>/decide                                login | .                        | 302  404  404  404  404
POST   /commitments/<int:commitment_id>/checks                                login | .                        | 200  404  404  404  404  # who may edit checks the terms typed; nothing written
GET    /commitments/<int:commitment_id>/edit                                  login | 200  200  302  302  302  | 200  404  404  404  404
GET    /commitments/<int:commitment_id>.ics                                   login | 200  200  200  200  200  | 200  404  404  404  404
POST   /commitments/<int:commitment_id>/edit                                  login | .                        | 200  404  404  404  404
GET    /email/preferences/<token>                                             404   | 200  200  200  200  200  | -  # the signed token is the key: a wrong one is a 404
POST   /email/preferences/<token>                                             404   | .                        | -
GET    /feedback/                                                             login | 200  200  302  200  302  | -
GET    /feedback/<int:feedback_id>                                            login | 200  200  404  200  404  | 200  200  404  200  404
POST   /feedback/<int:feedback_id>/triage                                     login | .                        | 400  302  404  302  404  # a page answers 'may not' by going back with a message
GET    /feedback/mine                                                         login | 200  200  200  200  200  | -
GET    /feedback/new                                                          login | 200  200  302  302  302  | -
POST   /feedback/new                                                          login | .                        | -
GET    /feedback/triage                                                       login | 200  404  404  200  404  | -  # (the API's queue is an empty list instead)
GET    /healthz                                                               200   | 200  200  200  200  200  | -  # the process answers: for load balancers, no session read
GET    /inbox/                                                                login | 200  200  200  200  200  | -
POST   /inbox/<int:notification_id>/open                                      login | .                        | 404  404  404  404  404
POST   /inbox/<int:notification_id>/read                                      login | .                        | 404  404  404  404  404
POST   /inbox/read                                                            login | .                        | -
GET    /login                                                                 200   | 302  302  302  302  302  | -
POST   /login                                                                 200   | .                        | -
GET    /login/code                                                            login | 302  302  302  302  302  | -  # the code page without a password first: back to sign-in
POST   /login/code                                                            login | .                        | -
POST   /logout                                                                login | .                        | -
GET    /metrics                                                               404   | 404  404  404  404  404  | -  # only METRICS_TOKEN or METRICS_NETWORKS: tests/ops
GET    /my-work/                                                              login | 200  200  200  200  200  | -
GET    /my-work/<key>                                                         login | 200  200  200  200  200  | -
GET    /password/forgot                                                       200   | 200  200  200  200  200  | -  # asking for a reset link: open to anyone
POST   /password/forgot                                                       200   | .                        | -
GET    /password/reset/<token>                                                404   | 404  404  404  404  404  | -  # the emailed token is the key: a wrong one is a 404
POST   /password/reset/<token>                                                404   | .                        | -
GET    /readyz                                                                503   | 503  503  503  503  503  | -  # no sweep ran in this world: tests/ops
GET    /reports/                                                              login | 200  200  200  200  404  | -
GET    /reports/<section>.csv                                                 login | 200  200  200  200  404  | -
GET    /search                                                                login | 200  200  200  200  200  | -  # what each finds: tests/search
GET    /settings                                                              login | 200  200  200  200  200  | -
POST   /settings                                                              login | .                        | -
GET    /settings/calendars                                                    login | 200  200  200  200  200  | -
POST   /settings/calendars                                                    login | .                        | -
POST   /settings/calendars/<int:feed_id>/revoke                               login | .                        | 404  404  404  404  404
GET    /settings/security                                                     login | 200  200  200  200  200  | -
POST   /settings/security/password                                            login | .                        | -
POST   /settings/security/sessions/<int:session_id>/end                       login | .                        | 404  404  404  404  404
POST   /settings/security/sessions/end-others                                 login | .                        | -
POST   /settings/security/trusted/<int:session_id>/forget                     login | .                        | 404  404  404  404  404
POST   /settings/security/trusted/forget                                      login | .                        | -
GET    /settings/security/two-factor                                          login | 200  200  200  200  200  | -
POST   /settings/security/two-factor                                          login | .                        | -
POST   /settings/security/two-factor/off                                      login | .                        | -
POST   /settings/security/two-factor/recovery-codes                           login | .                        | -
GET    /published/products/<int:product_id>/sheet                             401   | 401  401  401  401  401  | 401  401  401  401  401  # a publishing token (header or ?token=) is the key
GET    /settings/notifications                                                login | 200  200  200  200  200  | -
POST   /settings/notifications                                                login | .                        | -
POST   /settings/notifications/mute/<int:project_id>                          login | .                        | 404  404  404  404  404
POST   /settings/tokens/<int:token_id>/revoke                                 login | .                        | 404  404  404  404  404  # was a 302 'There is no such token.'
GET    /static/<path:filename>                                                200   | 200  200  200  200  200  | -
GET    /updates/                                                              login | 200  200  200  200  200  | -
GET    /updates/<int:update_id>                                               login | 200  200  200  200  200  | 200  200  200  200  200
POST   /updates/<int:update_id>/acknowledge                                   login | .                        | 302  302* 302  302  302
GET    /updates/new                                                           login | 200  404  404  200  404  | -
POST   /updates/new                                                           login | .                        | -
GET    /admin/webhooks/                                                       login | 200  404  404  404  404  | -
GET    /admin/webhooks/new                                                    login | 200  404  404  404  404  | -
POST   /admin/webhooks/new                                                    login | .                        | -
GET    /admin/webhooks/<int:endpoint_id>                                      login | 200  404  404  404  404  | 200  404  404  404  404  # webhooks are the admins', shared by them
GET    /admin/webhooks/<int:endpoint_id>/edit                                 login | 200  404  404  404  404  | 200  404  404  404  404
POST   /admin/webhooks/<int:endpoint_id>/edit                                 login | .                        | .    404  404  404  404
POST   /admin/webhooks/<int:endpoint_id>/rotate                               login | .                        | .    404  404  404  404
POST   /admin/webhooks/<int:endpoint_id>/test                                 login | .                        | .    404  404  404  404
POST   /admin/webhooks/<int:endpoint_id>/delete                               login | .                        | .    404  404  404  404
POST   /admin/webhooks/<int:endpoint_id>/messages/<int:message_id>/redeliver  login | .                        | .    404  404  404  404
GET    /api/v1/webhooks                                                       401   | 200  404  404  404  404  | -
POST   /api/v1/webhooks                                                       401   | .                        | -
GET    /api/v1/webhooks/<int:endpoint_id>                                     401   | 200  404  404  404  404  | 200  404  404  404  404
PATCH  /api/v1/webhooks/<int:endpoint_id>                                     401   | .                        | .    404  404  404  404
DELETE /api/v1/webhooks/<int:endpoint_id>                                     401   | .                        | .    404  404  404  404
GET    /api/v1/webhooks/<int:endpoint_id>/messages                            401   | 200  404  404  404  404  | 200  404  404  404  404
POST   /api/v1/webhooks/<int:endpoint_id>/messages/<int:message_id>/redeliver 401   | .                        | .    404  404  404  404
POST   /api/v1/webhooks/<int:endpoint_id>/rotate-secret                       401   | .                        | .    404  404  404  404
POST   /api/v1/webhooks/<int:endpoint_id>/test                                401   | .                        | .    404  404  404  404
"""

#: Columns that change on a read (when a token or link was last used, a sign-in): not "a write".
VOLATILE = {("users", "last_login_at"), ("api_tokens", "last_used_at"), ("calendar_feeds", "last_fetched_at"),
            ("user_sessions", "last_seen_at"), ("publishing_tokens", "last_used_at")}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class Row(NamedTuple):
    method: str
    rule: str
    anon: str
    own: tuple[str, ...]
    other: tuple[str, ...]


def _parse(table: str) -> dict[tuple[str, str], Row]:
    rows = {}
    for line in table.strip().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        head, own, other = (part.split() for part in line.split("  #")[0].split("|"))
        method, rule, anon = head
        row = Row(method, rule, anon, tuple(own) * (5 if own == ["."] else 1), tuple(other) * (5 if other == ["-"] else 1))
        assert len(row.own) == len(row.other) == len(ROLES), line
        assert (method, rule) not in rows, f"two rows for {method} {rule}"
        rows[(method, rule)] = row
    return rows


ROWS = _parse(MATRIX)


def _routes(app: Flask) -> dict[tuple[str, str], Any]:
    return {(method, rule.rule): rule for rule in app.url_map.iter_rules()
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})}


def test_every_route_has_a_row(app):
    routes = _routes(app)
    missing = sorted(set(routes) - set(ROWS))
    stale = sorted(set(ROWS) - set(routes))
    assert not missing, "routes without a row in MATRIX: " + ", ".join(f"{m} {r}" for m, r in missing)
    assert not stale, "rows of routes that are gone: " + ", ".join(f"{m} {r}" for m, r in stale)


# --- walking ----------------------------------------------------------------------------------------

def _is_api(rule: str) -> bool:
    return rule.startswith("/api/")


def _url(rule: Any, values: dict[str, Any]) -> str:
    args = dict(values)
    if rule.endpoint == "calendars.feed":
        args["token"] = values["calendar_token"]
    elif rule.endpoint.startswith("notification_settings.email_"):
        args["token"] = values["email_token"]
    elif rule.endpoint == "accounts.reset_password":
        args["token"] = "no-such-reset-link"  # nobody asked for one in the world
    return rule.build({arg: args[arg] for arg in rule.arguments}, append_unknown=False)[1]


def _send(client: RequestClient, method: str, url: str, api_token: str | None) -> TestResponse:
    kwargs: dict[str, Any] = {}
    if url.startswith("/api/"):
        kwargs["headers"] = {"Accept": "application/json", **({"Authorization": f"Bearer {api_token}"} if api_token else {})}
        if method in {"POST", "PUT", "PATCH"}:
            kwargs["json"] = {}
    elif method in WRITES:
        kwargs["data"] = {}
    return client.open(url, method=method, **kwargs)


def _code(response: TestResponse) -> str:
    if response.status_code in (301, 302, 303, 307, 308):
        return "login" if "/login" in response.headers.get("Location", "") else "302"
    return str(response.status_code)


def _fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (but for the columns a read touches): to prove a write wrote nothing."""
    found = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if (table.name, c.name) not in VOLATILE]
        found[table.name] = sorted(map(tuple, db.session.execute(sa.select(*columns)).all()), key=repr)
    return found


def _changed(before: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    db.session.expire_all()
    after = _fingerprint()
    return [name for name in before if before[name] != after[name]]


@pytest.fixture
def world(people, make_project, make_product) -> World:
    return authz_world.build(people, make_project, make_product)


def _client(app: Flask, email: str | None = None) -> RequestClient:
    app.test_client_class = RequestClient
    client = app.test_client()
    if email:
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, email
    return client


def test_signed_out(app, world):
    """Every route, signed out: 401 from the API, the sign-in page for the rest; no write happens."""
    client = _client(app)
    routes = _routes(app)
    values = {**world.own["sales"], "calendar_token": "nope", "email_token": "nope"}
    wrong = []
    for key in sorted(routes):
        method, rule_text = key
        rule = routes[key]
        before = _fingerprint() if method in WRITES else None
        got = _code(_send(client, method, _url(rule, values), None))
        changed = _changed(before) if before is not None else []
        if key not in ROWS or got != ROWS[key].anon or changed:
            wrong.append(f"{method} {rule_text}: {got} (table: {ROWS[key].anon if key in ROWS else '?'}){' changed ' + str(changed) if changed else ''}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_on_its_own_and_on_someone_elses_records(app, people, world, role):
    index = ROLES.index(role)
    user = people[role]
    pages = _client(app, user.email)
    api = _client(app)
    routes = _routes(app)
    results: dict[tuple[str, str], dict[str, str]] = {}
    wrong = []

    def walk(key: tuple[str, str], side: str, values: dict[str, Any]) -> None:
        method, rule_text = key
        rule = routes[key]
        row = ROWS.get(key)
        expected = getattr(row, side)[index] if row else "?"
        if expected == ".":
            return
        check_write = method in WRITES and not expected.endswith("*")
        before = _fingerprint() if check_write else None
        client = api if _is_api(rule_text) else pages
        got = _code(_send(client, method, _url(rule, values), world.tokens[role]))
        changed = _changed(before) if before is not None else []
        results.setdefault(key, {})[side] = got + ("*" if method in WRITES and not check_write else "")
        if expected not in {".", "-"} and (got != expected.rstrip("*") or changed):
            note = f" and changed {', '.join(changed)}" if changed else ""
            wrong.append(f"{role} {side:5} {method} {rule_text}: {got} (table: {expected}){note}")

    has_sides = {key: bool(set(routes[key].arguments) & PER_RECORD) for key in routes}
    # Reads first (own, then theirs), then writes to someone else's records; writes to one's own
    # records are left to each feature's tests (they would change the world under the next row).
    for key in sorted(routes):
        if key[0] not in WRITES:
            walk(key, "own", world.own[role])
            if has_sides[key]:
                walk(key, "other", world.other)
    for key in sorted(routes):
        if key[0] in WRITES and has_sides[key]:
            walk(key, "other", world.other)

    assert not wrong, "\n".join(wrong) + "\n\nThe app answers today:\n" + _as_rows(results, index)


#: URL arguments that name someone's record (the others — a region, a template, a report section — are shared).
PER_RECORD = {"project_id", "milestone_id", "task_id", "number", "commitment_id", "feedback_id", "briefing_id",
              "material_id", "update_id", "product_id", "band_id", "link_id", "user_id", "notification_id",
              "feed_id", "token_id", "session_id", "endpoint_id", "message_id"}


def _as_rows(results: dict[tuple[str, str], dict[str, str]], index: int) -> str:
    """This role's answers in the table's shape, the other roles' cells taken from the table."""
    lines = []
    for key in sorted(results):
        row = ROWS.get(key) or Row(key[0], key[1], "?", ("?",) * 5, ("?",) * 5)
        own, other = list(row.own), list(row.other)
        own[index] = results[key].get("own", own[index])
        other[index] = results[key].get("other", other[index])
        lines.append(_line(Row(row.method, row.rule, row.anon, tuple(own), tuple(other))))
    return "\n".join(lines)


def _line(row: Row) -> str:
    return f"{row.method:6} {row.rule:70} {row.anon:5} | {' '.join(f'{c:4}' for c in row.own)} | {' '.join(f'{c:4}' for c in row.other)}"
