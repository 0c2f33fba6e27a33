"""Placeholder blueprint; the feature that owns this module replaces it."""

from flask import Blueprint

bp = Blueprint(__name__.replace(".", "_"), __name__)
