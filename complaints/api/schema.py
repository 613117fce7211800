"""OpenAPI post-processing: what every operation can answer, said once.

A request whose path, query or form carries control characters is refused before it reaches
any view (config.request_context.ControlCharactersMiddleware), with the API's error shape; so
every operation documents that 400.
"""

from __future__ import annotations

from typing import Any

BAD_INPUT_400 = {
    "description": "Bad input: a field's errors, or control characters in the request.",
    "content": {
        "application/json": {
            "schema": {"$ref": "#/components/schemas/Error"},
            "examples": {
                "ControlCharacters": {
                    "value": {
                        "code": "bad_input",
                        "message": "The request contains control characters; remove them.",
                        "errors": {},
                    }
                }
            },
        }
    },
}


def every_operation_documents_bad_input(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("400", BAD_INPUT_400)
    return result
