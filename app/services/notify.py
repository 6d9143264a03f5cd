"""Telling the citizen: an outbox row in the same transaction as the change it reports."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from models.application import Application
from models.notification import Notification

TEMPLATES = {
    "application_submitted": "您的申请 {number}（{title}）已提交，等待窗口受理。",
    "application_accepted": "您的申请 {number} 已受理，承诺 {promised_date} 前办结。",
    "application_returned": "您的申请 {number} 需要补正：{problems}。请一次性修改后重新提交。",
    "application_rejected": "您的申请 {number} 不予受理：{reason}（依据：{legal_basis}）。",
    "materials_requested": "您的申请 {number} 需要补充材料（一次性告知）：{problems}。请一次补齐后确认。",
    "subcase_decided": "您的申请 {number} 中「{item}」已{outcome}。",
    "application_completed": "您的申请 {number} 已全部办结，{delivery}。",
    "application_delivered": "您的申请 {number} 的办理结果已送达。感谢您的评价。",
    "commitment_reminder": "您的申请 {number} 容缺材料请于 {due} 前补交。",
    "commitment_due_today": "您的申请 {number} 容缺材料（{materials}）今天（{due}）到期，请尽快补交。",
    "commitment_overdue": "您的申请 {number} 容缺材料（{materials}）已超过约定的 {due}，请尽快补交，办理结果须补齐后领取。",
    "commitment_rejected": "您的申请 {number} 补交的「{material}」未通过核验：{reason}，请重新补交。",
    "elicense_revoked": "您的电子证照「{type}」（{license_number}）已被{issuer}撤销：{reason}。",
    "complaint_answered": "您反映的问题（{summary}）已有答复：{response}",
    "shipment_picked_up": "您的申请 {number} 的办理结果已由{carrier}揽收，运单号 {tracking}。",
    "shipment_failed": "您的申请 {number} 的办理结果投递未成功（{reason}），已退回大厅，我们将与您联系重新寄送或改为窗口领取。",
    "evaluation_invitation": "您的申请 {number} 已办结，请对本次服务进行评价（好差评）。",
    "rectification_resolved": "您对申请 {number} 的评价已整改：{resolution}。欢迎对整改结果评价。",
    "pickup_ready": "您的申请 {number} 的办理结果请到{hall}领取（{address}）。",
    # Help at every door (issue 13)
    "application_forwarded": "您的申请 {number} 已由{from_hall}转交{hall}办理，办结后仍可在您选定的大厅领取。",
    "agent_started": "{agent} 受您委托，已开始为您办理「{title}」（{number}），每一步都会通知您。",
    "assisted_started": "{hall}工作人员经您同意，正在为您办理「{title}」（{number}）。",
}


def notify(session: Session, application: Application, template: str, *, at: datetime,
           send_at: datetime | None = None, **params) -> None:
    """Queue a message; `send_at` holds it (a notice consolidated over the working day)."""
    notify_citizen(session, application.citizen_id, template, at=at, send_at=send_at,
                   application_id=application.id, **message_params(application, **params))


def notify_citizen(session: Session, citizen_id: int, template: str, *, at: datetime,
                   application_id: int | None = None, send_at: datetime | None = None, **params) -> None:
    """A message not about one application (a revoked license, an answered complaint)."""
    params = {k: str(v) for k, v in params.items()}
    session.add(Notification(citizen_id=citizen_id, application_id=application_id,
                             template=template, params=params, text=message_text(template, params),
                             next_attempt_at=send_at or at, created_at=at))


def message_params(application: Application, **params) -> dict[str, str]:
    return {k: str(v) for k, v in {"number": application.number, "title": application.title, **params}.items()}


def message_text(template: str, params: dict[str, str]) -> str:
    return "【最多跑一次】" + TEMPLATES[template].format(**params)
