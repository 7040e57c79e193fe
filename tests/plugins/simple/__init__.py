from app.plugins import ActivityPlugin

plugin = ActivityPlugin(name="simple", label="Simple")
