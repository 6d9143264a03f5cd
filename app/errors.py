"""One exception tree, one JSON error shape for every status (API.md, Conventions)."""
from __future__ import annotations

from http import HTTPStatus

from werkzeug.exceptions import HTTPException

# error code -> (zh-CN, en). Codes are stable; messages are for people.
MESSAGES: dict[str, tuple[str, str]] = {
    "bad_request": ("请求格式不正确", "The request is malformed"),
    "malformed_json": ("请求内容不是有效的 JSON", "The request body is not valid JSON"),
    "unauthorized": ("请先登录", "Authentication required"),
    "token_invalid": ("登录凭证无效，请重新登录", "The access token is invalid"),
    "token_expired": ("登录已过期，请重新登录", "The access token has expired"),
    "forbidden": ("无权执行此操作", "You are not allowed to do this"),
    "not_found": ("资源不存在", "Not found"),
    "method_not_allowed": ("不支持该请求方法", "Method not allowed"),
    "not_acceptable": ("无法提供所请求的格式", "Not acceptable"),
    "conflict": ("数据已被他人修改，请刷新后重试", "The resource was changed concurrently; reload and retry"),
    "payload_too_large": ("提交的内容过大", "The request body is too large"),
    "unsupported_media_type": ("请以 JSON 格式提交", "Unsupported media type; send JSON"),
    "validation_failed": ("提交的信息有误，请检查后重试", "Some fields are invalid"),
    "precondition_required": ("缺少 If-Match 请求头", "If-Match header required"),
    "precondition_failed": ("数据已变更，请刷新后重试", "Precondition failed"),
    "too_many_requests": ("操作过于频繁，请稍后再试", "Too many requests; retry later"),
    "internal_error": ("系统繁忙，请稍后再试", "Internal server error"),
    "service_unavailable": ("服务暂不可用", "Service unavailable"),
    "server_busy": ("正在处理的文件较多，请稍后重试", "The server is busy checking other files; retry later"),
    "bad_gateway": ("上游服务暂不可用", "An upstream service failed"),
    # identity
    "sms_code_invalid": ("验证码错误", "The verification code is wrong"),
    "sms_code_expired": ("验证码已过期，请重新获取", "The verification code has expired"),
    "sms_code_exhausted": ("验证码错误次数过多，请重新获取", "Too many wrong attempts; request a new code"),
    "sms_unavailable": ("短信发送失败，请稍后再试", "The SMS gateway is unavailable"),
    "wechat_login_failed": ("微信登录失败，请重试", "WeChat login failed"),
    "wechat_unavailable": ("微信服务暂不可用，请稍后再试", "WeChat is unavailable"),
    "invalid_credentials": ("用户名或密码错误（连续输错多次后账号将暂时锁定）",
                            "Wrong username or password (repeated failures lock the account for a while)"),
    "account_disabled": ("账号已停用", "The account is disabled"),
    "refresh_token_invalid": ("刷新凭证无效，请重新登录", "The refresh token is invalid"),
    "refresh_token_expired": ("刷新凭证已过期，请重新登录", "The refresh token has expired"),
    "refresh_token_reused": ("刷新凭证已被使用，为安全起见已注销所有相关登录", "The refresh token was reused; its sessions are revoked"),
    "id_number_taken": ("该身份证号已绑定其他账号", "This resident ID number belongs to another account"),
    "real_name_locked": ("已完成实名核验，身份证号不能修改", "The ID number is verified and cannot change"),
    "profile_incomplete": ("请先填写姓名和身份证号", "Fill in your name and ID number first"),
    "identity_not_found": ("人口库中没有此身份证号，请到窗口核验", "The population register has no such ID number; verify at a window"),
    "identity_mismatch": ("姓名或身份证号与核验来源不一致", "The name or ID number does not match the source"),
    "identity_unverified": ("申请人尚未完成实名核验，不能审批", "The applicant's real name is not verified; the case cannot be decided"),
    "applicant_mismatch": ("表单中的申请人信息与实名信息不一致", "The applicant's details on the form differ from the verified profile"),
    "data_source_unavailable": ("数据共享平台暂不可用，请稍后再试", "The government data source is unavailable; retry later"),
    "username_taken": ("用户名已存在", "This username is taken"),
    # catalogue administration
    "unknown_reference": ("引用的目录数据不存在", "A referenced catalogue entry does not exist"),
    "dependency_cycle": ("事项之间的前置依赖形成了循环", "The item dependencies form a cycle"),
    "form_conflict": ("同名表单字段在不同事项中的定义不一致", "Form fields with the same name disagree"),
    "already_exists": ("编码已存在", "This code already exists"),
    "object_store_unavailable": ("文件存储不可用", "The object store is unavailable"),
    "upload_policy_violated": ("上传的文件不符合签名策略（类型、大小或已过期）", "The upload broke its signed policy"),
    "download_link_invalid": ("下载链接无效或已过期", "The download link is invalid or expired"),
    "file_refused": ("文件未通过检查", "The file was refused"),
    "upload_not_acceptable": ("所选文件不能用于此材料", "These files cannot be used for this material"),
    "upload_not_arrived": ("文件尚未上传完成", "The file has not arrived yet"),
    "commitment_not_allowed": ("关键材料不能容缺受理", "This material cannot be pledged"),
    "materials_missing": ("材料或信息不全，请一次性补齐后提交", "Materials or fields are missing"),
    "invalid_transition": ("当前状态下不能执行此操作", "This action is not allowed in the current status"),
    "idempotency_key_reused": ("同一 Idempotency-Key 已用于另一个请求", "This Idempotency-Key was used for another request"),
    "already_requested": ("本部门已一次性告知过补充材料，申请人未作修改前不能再次要求", "This department already asked once; nothing it uses changed since"),
    "already_returned": ("已一次性告知过补正，申请人未作修改前不能再次退回", "Already returned once; nothing changed since"),
    "hall_cannot_accept": ("该大厅不能受理此事项", "This hall cannot accept this item"),
    "post_not_available": ("此事项不支持邮寄", "This item cannot be delivered by post"),
    "delivery_locked": ("结果已交寄，不能再修改领取方式", "The result is already with the carrier"),
    "pickup_hall_missing": ("请选择领取结果的大厅", "Choose the hall where you will collect the result"),
    "address_missing": ("申请人尚未填写邮寄地址", "No delivery address"),
    "already_issued": ("办理结果已出件", "The result was already issued"),
    "webhook_signature_invalid": ("回调签名无效或已过期", "Bad or stale webhook signature"),
    "tracking_number_taken": ("该运单号已被使用", "This tracking number is already in use"),
    "already_rated": ("已评价过，不能重复评价", "Already rated"),
    "elicense_not_usable": ("电子证照不可用于此材料", "This e-license cannot be used for this material"),
    # --- promises kept (issue 14) ---
    "commitment_outstanding": ("容缺材料尚未补齐并核验，暂不能出件", "A pledged material is still outstanding"),
    "not_issuing_department": ("只有签发部门可以撤销此证照", "Only the issuing department may revoke it"),
    # --- end promises kept ---
    # --- help at every door (issue 13): 代办 · 帮办 · 就近办 · 异地可办 ---
    "authorization_invalid": ("委托授权不存在、已撤销或已过期", "The authorisation does not exist, was revoked or has expired"),
    "authorization_out_of_scope": ("委托授权不包含此事项", "The authorisation does not cover this item"),
    "agent_is_principal": ("不能委托给本人", "You cannot authorise yourself"),
    "consent_required": ("须先由申请人输入短信验证码确认授权办理", "The citizen has not consented with their SMS code yet"),
    "already_consented": ("申请人已确认授权", "The citizen has already consented"),
    "not_accepted_here": ("本大厅（便民服务点）不能受理此事项，请转交有权受理的大厅", "This hall's level cannot accept this item; forward it"),
    "forward_not_allowed": ("只能转交给本地区能受理此事项的大厅", "Forward only to a hall of the region that can accept it"),
    "not_pickup_hall": ("办理结果须在申请人选定的领取大厅发放", "The result is issued only at the pickup hall the citizen chose"),
    "not_cross_region": ("此事项不支持异地办理", "This item cannot be done in another region"),
    "no_competent_department": ("管辖地区没有办理此事项的部门", "No department of the competent region handles this item"),
    # --- end help at every door ---
    # --- trust (issue 11) ---
    "request_header_too_large": ("请求头过大", "A request header is too large"),
    "database_unavailable": ("数据库连接中断，请稍后重试", "The database connection was lost; retry shortly"),
}


def message_for(code: str, lang: str) -> str:
    zh, en = MESSAGES.get(code, MESSAGES["internal_error"])
    return en if lang == "en" else zh


class DomainError(Exception):
    """Base of every error a service raises; the app maps it to the JSON shape."""

    status: int = 400
    code: str = "bad_request"

    def __init__(self, code: str | None = None, *, errors: dict | None = None,
                 headers: dict | None = None, status: int | None = None):
        super().__init__(code or self.code)
        if code:
            self.code = code
        if status:
            self.status = status
        self.errors = errors
        self.headers = headers or {}


class ValidationFailed(DomainError):
    status, code = 422, "validation_failed"


class Unauthenticated(DomainError):
    status, code = 401, "unauthorized"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Conflict(DomainError):
    status, code = 409, "conflict"


class TooManyRequests(DomainError):
    status, code = 429, "too_many_requests"


class UpstreamUnavailable(DomainError):
    status, code = 502, "bad_gateway"


class ServiceUnavailable(DomainError):
    status, code = 503, "service_unavailable"


# werkzeug exception -> our stable code
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    428: "precondition_required",
    429: "too_many_requests",
    431: "request_header_too_large",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
}


def payload(status: int, code: str, lang: str, errors: dict | None = None,
            message: str | None = None) -> dict:
    body = {
        "code": status,
        "status": HTTPStatus(status).phrase,
        "error": code,
        "message": message or message_for(code, lang),
    }
    if errors:
        body["errors"] = errors
    return body


def from_http_exception(exc: HTTPException) -> tuple[str, dict | None, dict]:
    """(code, errors, headers) for a werkzeug/webargs/flask-smorest exception."""
    status = exc.code or 500
    code = HTTP_CODES.get(status, "bad_request" if status < 500 else "internal_error")
    data = getattr(exc, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    headers = dict(data.get("headers") or {})
    if status == 400 and (errors == {"json": ["Invalid JSON body."]}
                          or "JSON" in (exc.description or "")):
        code, errors = "malformed_json", None
    # Keep headers the exception carries itself (Allow on 405, Retry-After on 429).
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            headers.setdefault(name, value)
    return code, errors, headers
