"""Every operation documents the errors every operation can answer, so a client (and the
schemathesis contract test) knows the shape of a 400, 401, 403, 404 and 429."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` for one message, or field names with their messages.",
    "additionalProperties": True,
}
ERRORS = {
    "400": "The input was refused; each field named holds its messages.",
    "401": "No token, or a token that is unknown, expired or revoked.",
    "403": "Not allowed: a read-only token, a portal the plan does not include, not an engineer.",
    "404": "No such object, or not one you can see.",
    "429": "Too many requests; wait for the seconds in Retry-After.",
}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
            if "429" in responses:
                responses["429"]["headers"] = {
                    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}
                }
    return result
