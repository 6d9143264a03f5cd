"""English for what the phone shows (Accept-Language: en): the stage, the next action, the timeline
and notification texts. zh-CN is the default and the record.

Timeline messages are written in Chinese when things happen (the case's record, never rewritten).
This catalogue maps each Chinese message template to its English one, as gettext maps a msgid:
the parts filled in — catalogue names, which stay as published, staff's own words, dates, numbers —
are carried over unchanged. A message no template matches is shown as written.
"""
from __future__ import annotations

import re

STAGES_EN = {
    "draft": "Filling in", "submitted": "Waiting for a window to accept it", "returned": "To be corrected",
    "accepted": "Accepted", "in_review": "Under review by the departments", "completed": "Completed",
    "delivered": "Delivered", "rejected": "Not accepted", "withdrawn": "Withdrawn",
}

NEXT_ACTIONS_EN = {
    "submit": "Complete the form and materials, choose how to receive the result, then submit",
    "correct_and_resubmit": "Correct everything in the notice at once, then submit again",
    "supply_materials": "The departments asked for materials: supply them, then confirm",
    "deliver_committed_materials": "Supply the pledged materials by {due}: {names}",
    "choose_delivery": "Choose window pickup or delivery by post",
    "collect_at_window": "Bring your ID card to the window to collect the result",
}

# (zh template, en template): the most specific first where one template is a prefix of another.
TIMELINE = [
    ("您已同意由{hall}工作人员帮办", "You consented to staff of {hall} applying for you"),
    ("{from_hall}已将申请转交{hall}办理（前台受理、后台办理）",
     "{from_hall} passed the application to {hall} (accepted at the front desk, decided in the back office)"),
    ("已创建申请：{title}；{n} 项材料由电子证照免提交", "Application created: {title}; {n} materials taken from the e-license wallet"),
    ("已创建申请：{title}", "Application created: {title}"),
    ("已提交材料：{material}", "Material submitted: {material}"),
    ("结果领取方式：邮寄到家", "Result to be delivered by post"),
    ("结果领取方式：到{hall}窗口领取", "Result to be collected at the window of {hall}"),
    ("申请已提交，等待窗口受理", "Submitted; waiting for a window to accept it"),
    ("申请已撤回", "Withdrawn"),
    ("已补充材料，恢复审核", "Materials supplied; the review resumes"),
    ("部门审核中", "Under review by the departments"),
    ("「{item}」审核通过", "「{item}」 approved"),
    ("「{licence}」电子证照已发放到您的卡包", "The 「{licence}」 e-license was issued into your wallet"),
    ("前置事项已办结，「{item}」开始办理", "The item it waited for is done: 「{item}」 starts"),
    ("前置事项未通过，「{item}」无法办理", "The item it waited for was refused: 「{item}」 cannot proceed"),
    ("「{item}」需要补充材料：{problems}（办理时限暂停）", "「{item}」 needs materials: {problems} (the deadline is paused)"),
    ("「{item}」未通过：{reason}", "「{item}」 refused: {reason}"),
    ("全部办结：{approved}/{total} 项通过", "All decided: {approved} of {total} approved"),
    ("您的评价：{score}", "Your rating: {score}"),
    ("整改结果：{resolution}", "Put right: {resolution}"),
    ("申请已受理，承诺 {date} 前办结", "Accepted; promised to be done by {date}"),
    ("请补正：{problems}", "Please correct: {problems}"),
    ("不予受理：{reason}（依据：{basis}）", "Not accepted: {reason} (legal basis: {basis})"),
    ("到{hall}现场办理：{purpose}", "Came in person to {hall}: {purpose}"),
    ("已在窗口领取办理结果", "Result collected at the window"),
    ("办理结果将由{carrier}寄出", "The result will be sent by {carrier}"),
    ("办理结果已封装，等待快递揽收", "The result is packed and waits for the courier"),
    ("退回的办理结果已重新寄出", "The returned result was sent again"),
    ("改为到{hall}窗口领取（{address}）", "Changed to pickup at the window of {hall} ({address})"),
    ("{carrier}已揽收，运单号 {tracking}", "Picked up by {carrier}, tracking number {tracking}"),
    ("办理结果已妥投，签收人：{recipient}", "Delivered; signed for by {recipient}"),
    ("办理结果已妥投", "Delivered"),
    ("办理结果已送达", "The result reached you"),
    ("投递未成功：{reason}，将退回大厅", "Delivery failed: {reason}; the result goes back to the hall"),
    ("转办：群众反映「{summary}」，请于 {due} 前答复", "Passed on: a citizen reported 「{summary}」; answer by {due}"),
    ("群众反映「{summary}」逾期未答复（应于 {due} 前）", "A citizen's report 「{summary}」 is unanswered past {due}"),
    ("办件 {number} 的差评整改逾期未{missed}（应于 {due} 前）", "Case {number}: the bad rating's rectification is late ({missed}, due {due})"),
    ("「{licence}」电子证照已被撤销（{reason}），相应材料请重新提交",
     "The 「{licence}」 e-license was revoked ({reason}); please submit that material again"),
    ("办件 {number} 超期未办结，已提级至上级（{parent}）督办", "Case {number} is overdue and was escalated to {parent}"),
    ("容缺材料「{material}」已核验", "Pledged material 「{material}」 checked"),
    ("容缺材料「{material}」未通过核验：{reason}，请重新补交", "Pledged material 「{material}」 refused: {reason}; please supply it again"),
    ("容缺材料逾期未补交：{names}（应于 {due} 前补交）", "Pledged materials overdue: {names} (due {due})"),
    ("办件 {number} 的容缺材料逾期未补交：{names}（{due}）", "Case {number}: pledged materials overdue: {names} ({due})"),
    ("运输中：{detail}", "In transit: {detail}"),
    ("运输中", "In transit"),
]

# Notification templates (app/services/notify.TEMPLATES) in English, same placeholders.
NOTIFICATIONS_EN = {
    "application_forwarded": "Your application {number} was passed from {from_hall} to {hall}; you still "
                             "collect the result at the hall you chose.",
    "agent_started": "{agent} started {title} ({number}) for you under your authorisation; you are told "
                     "of every step.",
    "assisted_started": "With your consent, staff of {hall} are applying for {title} ({number}) for you.",
    "application_submitted": "Your application {number} ({title}) was submitted and waits for a window to accept it.",
    "application_accepted": "Your application {number} was accepted and is promised by {promised_date}.",
    "application_returned": "Your application {number} needs corrections: {problems}. Correct everything at once and submit again.",
    "application_rejected": "Your application {number} was not accepted: {reason} (legal basis: {legal_basis}).",
    "materials_requested": "Your application {number} needs materials (all in one notice): {problems}. Supply them at once, then confirm.",
    "subcase_decided": "In your application {number}, 「{item}」 is {outcome}.",
    "application_completed": "Your application {number} is complete; {delivery}.",
    "application_delivered": "The result of your application {number} reached you. Thank you for rating the service.",
    "commitment_reminder": "Please supply the pledged materials of application {number} by {due}.",
    "shipment_picked_up": "The result of application {number} was picked up by {carrier}, tracking number {tracking}.",
    "shipment_failed": "The result of application {number} could not be delivered ({reason}) and went back to the hall; "
                       "we will contact you to send it again or arrange a window pickup.",
    "evaluation_invitation": "Your application {number} is complete: please rate the service (好差评).",
    "rectification_resolved": "Your rating of application {number} was acted on: {resolution}. You may rate the fix.",
    "commitment_due_today": "The pledged materials of application {number} ({materials}) are due today ({due}); please supply them.",
    "commitment_overdue": "The pledged materials of application {number} ({materials}) were due on {due}; please supply "
                          "them: the result is handed over only once they are.",
    "commitment_rejected": "The 「{material}」 you supplied for application {number} was refused: {reason}. Please supply it again.",
    "elicense_revoked": "Your e-license 「{type}」 ({license_number}) was revoked by {issuer}: {reason}.",
    "complaint_answered": "Your report ({summary}) was answered: {response}",
    "pickup_ready": "The result of application {number} is ready at {hall} ({address}).",
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _compile(template: str) -> re.Pattern:
    parts, last = [], 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last:match.start()]) + f"(?P<{match.group(1)}>.+?)")
        last = match.end()
    return re.compile("^" + "".join(parts) + re.escape(template[last:]) + "$", re.S)


_TIMELINE = [(_compile(zh), en) for zh, en in TIMELINE]


def timeline_message(message: str, lang: str) -> str:
    if lang != "en":
        return message
    for pattern, english in _TIMELINE:
        found = pattern.match(message)
        if found:
            return english.format(**found.groupdict())
    return message


def stage(status: str, zh: str, lang: str) -> str:
    return STAGES_EN[status] if lang == "en" else zh


def next_action(action: dict | None, lang: str, owed: list[str] | None = None) -> dict | None:
    if action is None or lang != "en":
        return action
    text = NEXT_ACTIONS_EN[action["code"]].format(due=action.get("due"), names=", ".join(owed or []))
    return {**action, "message": text}


def notification_text(template: str, params: dict, text_zh: str, lang: str) -> str:
    """A stored notification in the reader's language (the SMS itself went out in Chinese)."""
    if lang != "en" or template not in NOTIFICATIONS_EN:
        return text_zh
    return NOTIFICATIONS_EN[template].format(**params)
