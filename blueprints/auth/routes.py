"""Identity: SMS and WeChat login for citizens, password login for staff, token refresh, /me."""
from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_limiter.util import get_remote_address

from app.actors import CITIZEN
from app.auth import access_token_for, actor_for_staff, current_actor
from app.blueprint import Blueprint
from app.extensions import limiter, services
from app.services import accounts, identity, real_name
from app.web import deps
from blueprints.auth import schemas as s
from blueprints.auth.presenters import citizen_view, staff_view
from models.citizen import Citizen
from models.validation import normalize_mobile

blp = Blueprint("auth", __name__, description="登录与身份：短信验证码、微信小程序、工作人员、令牌刷新")


def _config(name: str):
    return current_app.config[name]


def _phone_key() -> str:
    """Rate-limit key: the normalised phone, so '+86 138…' and '138…' share one budget."""
    body = request.get_json(silent=True)
    raw = body.get("phone") if isinstance(body, dict) else None
    try:
        return "phone:" + normalize_mobile(str(raw))
    except ValueError:
        return "phone:invalid"


def _accepted(response) -> bool:
    return response.status_code == 202


def _tokens(subject: str, role: str) -> dict:
    access, expires_in = access_token_for(subject, role)
    refresh = identity.issue_refresh_token(**deps(actor=False), subject=subject,
                                           days=_config("REFRESH_TOKEN_DAYS"))
    return {"access_token": access, "refresh_token": refresh, "token_type": "Bearer",
            "expires_in": expires_in}


@blp.route("/auth/sms-codes", methods=["POST"])
@limiter.limit(lambda: _config("SMS_PHONE_LIMITS"), key_func=_phone_key, scope="sms-phone",
               deduct_when=_accepted)
@limiter.limit(lambda: _config("SMS_IP_LIMITS"), key_func=get_remote_address, scope="sms-ip",
               deduct_when=_accepted)
@blp.arguments(s.SmsCodeRequestSchema)
@blp.response(202, s.SmsCodeSentSchema)
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@blp.alt_response(502, response="BAD_GATEWAY")
def send_sms_code(data):
    """Send a 6-digit login code by SMS."""
    identity.send_login_code(**deps(actor=False), sender=services().sms,
                             secret=_config("SECRET_KEY"), phone=data["phone"],
                             ttl_seconds=_config("SMS_CODE_TTL_SECONDS"))
    return {"expires_in": _config("SMS_CODE_TTL_SECONDS")}


@blp.route("/auth/citizen-tokens", methods=["POST"])
@blp.arguments(s.CitizenTokenRequestSchema)
@blp.response(200, s.CitizenTokensSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
def citizen_tokens(data):
    """Log a citizen in with the SMS code; the account is created on first login."""
    citizen = identity.verify_login_code(**deps(actor=False), secret=_config("SECRET_KEY"),
                                         phone=data["phone"], code=data["code"],
                                         max_attempts=_config("SMS_CODE_MAX_ATTEMPTS"))
    return {**_tokens(f"{CITIZEN}:{citizen.id}", CITIZEN), "citizen": citizen_view(citizen)}


@blp.route("/auth/wechat-tokens", methods=["POST"])
@blp.arguments(s.WechatTokenRequestSchema)
@blp.response(200, s.CitizenTokensSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(502, response="BAD_GATEWAY")
def wechat_tokens(data):
    """Log a citizen in from the WeChat mini-program (jscode2session)."""
    citizen = identity.wechat_login(**deps(actor=False, clock=False), client=services().wechat, js_code=data["code"])
    return {**_tokens(f"{CITIZEN}:{citizen.id}", CITIZEN), "citizen": citizen_view(citizen)}


@blp.route("/auth/staff-tokens", methods=["POST"])
@limiter.limit(lambda: _config("STAFF_LOGIN_IP_LIMITS"), key_func=get_remote_address, scope="staff-login")
@blp.arguments(s.StaffTokenRequestSchema)
@blp.response(200, s.StaffTokensSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def staff_tokens(data):
    """Log a staff member in with username and password."""
    staff = identity.staff_login(**deps(actor=False), passwords=services().passwords,
                                 username=data["username"], password=data["password"],
                                 max_failures=_config("STAFF_LOCKOUT_FAILURES"),
                                 lock_minutes=_config("STAFF_LOCKOUT_MINUTES"))
    actor = actor_for_staff(staff)
    return {**_tokens(actor.subject, actor.role), "staff": staff_view(staff, actor)}


@blp.route("/auth/refresh", methods=["POST"])
@blp.arguments(s.RefreshRequestSchema)
@blp.response(200, s.RefreshedTokensSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
def refresh(data):
    """Exchange a refresh token for a new pair; a reused token revokes its whole family."""
    issued = identity.rotate_refresh_token(**deps(actor=False), token=data["refresh_token"],
                                           days=_config("REFRESH_TOKEN_DAYS"))
    account = accounts.account_for(**deps(actor=False, clock=False), subject=issued.subject)
    if isinstance(account, Citizen):
        access, expires_in = access_token_for(issued.subject, CITIZEN)
        extra = {"citizen": citizen_view(account)}
    else:
        actor = actor_for_staff(account)
        access, expires_in = access_token_for(issued.subject, actor.role)
        extra = {"staff": staff_view(account, actor)}
    return {"access_token": access, "refresh_token": issued.token, "token_type": "Bearer",
            "expires_in": expires_in, **extra}


@blp.route("/me")
class Me(MethodView):
    @blp.auth_required(CITIZEN)
    @blp.etag
    @blp.response(200, s.CitizenSchema)
    def get(self):
        """The logged-in citizen's profile, personal data masked."""
        return citizen_view(accounts.account_for(**deps(actor=False, clock=False), subject=current_actor().subject))

    @blp.auth_required(CITIZEN)
    @blp.arguments(s.CitizenUpdateSchema)
    @blp.response(200, s.CitizenSchema)
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data):
        """Set the name and the GB 11643 resident ID; both are then confirmed against the population
        data source (实名, no trip) where it can; once verified they are frozen (409 real_name_locked)."""
        accounts.update_profile(**deps(actor=False, clock=False), cipher=services().cipher,
                                citizen_id=current_actor().id, changes=data)
        citizen = real_name.verify_online(**deps(outside=True), quiet=True)
        return citizen_view(citizen)


@blp.route("/me/verify-identity", methods=["POST"])
@blp.auth_required(CITIZEN)
@blp.arguments(s.VerifyIdentitySchema)
@blp.response(200, s.CitizenSchema)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def verify_identity(data):
    """Real-name verification without a trip: the population data source, or a verified 居民身份证
    e-license in the wallet (`elicense_id`) whose name and number match the profile."""
    citizen = real_name.verify_online(**deps(outside=True), elicense_id=data.get("elicense_id"))
    return citizen_view(citizen)
