"""The login session: with an access token set, a browser signs in once and keeps a cookie.

``GET /login?token=...`` (the link ``caspian serve`` prints) or the form at ``/login`` sets the
cookie ``caspian_session``: a keyed hash of the token (HttpOnly, SameSite=Strict), then
redirects to the dashboard. Scripts and other programs send ``Authorization: Bearer <token>``
instead. Without a token these routes only redirect.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from caspian.web.deps import State
from caspian.web.pages import render
from caspian.web.security import SESSION_COOKIE, session_value, token_matches

router = APIRouter(tags=["session"], include_in_schema=False)
Token = Annotated[str | None, Query(max_length=512)]


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, state: State, token: Token = None) -> Response:
    if token is None and state.settings.token:
        return render(request, "login.html", title="Sign in", error=None)
    return _sign_in(request, state, token or "")


@router.post("/login")
def login_form(
    request: Request, state: State, token: Annotated[str, Form(max_length=512)]
) -> Response:
    return _sign_in(request, state, token)


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


def _sign_in(request: Request, state: State, given: str) -> Response:
    expected = state.settings.token
    if not expected:
        return RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    if not token_matches(expected, given):
        return render(request, "login.html", 401, title="Sign in", error="Wrong token.")
    response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE,
        session_value(expected),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response
