"""The baseline: a bare Flask JSON endpoint, served the same way as OneTrip."""
from flask import Flask

app = Flask(__name__)


@app.get("/json")
def hello():
    return {"hello": "world", "number": 42}
