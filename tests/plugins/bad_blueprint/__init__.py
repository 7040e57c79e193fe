from flask import Blueprint

from app.plugins import ActivityPlugin

plugin = ActivityPlugin(name="bad_blueprint", blueprint=Blueprint("something_else", __name__))
