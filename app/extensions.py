"""Unbound extensions (bound to the app in app/__init__.py) and the outside systems the app uses."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_sqlalchemy import SQLAlchemy

from app.clock import Clock, utcnow
from models.base import Base

db = SQLAlchemy(metadata=Base.metadata)  # models subclass models.base.Base, not db.Model
jwt = JWTManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@dataclass
class Services:
    """The outside systems this app talks to; tests swap in fakes here."""

    store: object  # storage.ObjectStore
    sms: object  # app.gateways.sms.SmsSender
    wechat: object  # app.gateways.wechat.WechatClient
    cipher: object  # app.crypto.FieldCipher
    data_source: object = None  # app.gateways.datasource.DataSource
    wechat_notifier: object = None  # sends subscribe messages to WeChat-only citizens
    clock: Clock = utcnow  # the app's one clock (tests and demos move it)
    decode_gate: object = None  # app.decode_gate.DecodeGate: uploads normalised at once
    progress_cache: object = None  # app.services.progress_cache.ProgressCache: polled progress
    passwords: object = None  # app.crypto.Passwords: how staff passwords are hashed


def services() -> Services:
    return current_app.extensions["onetrip"]
