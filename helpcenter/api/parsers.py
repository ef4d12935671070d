import io

from rest_framework.parsers import FormParser, JSONParser


class JSONOrFormParser(FormParser):
    """`curl -d '{...}'` sends JSON labelled as a form; a form body never starts with "{", so
    such a body is read as the JSON it is. Anything else is an ordinary form."""

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read() if stream is not None else b""
        if body.lstrip().startswith(b"{"):
            return JSONParser().parse(io.BytesIO(body), "application/json", parser_context)
        return super().parse(io.BytesIO(body), media_type, parser_context)
