"""Translate template.yaml with the real SAM transform (aws-sam-translator) and
print the CloudFormation template it deploys, as JSON, on stdout.

The Go test internal/gateway/samtranslate_test.go runs it: the local gateway reads
the raw template, so only the translated one shows what SAM makes of it (e.g. an
intrinsic in CorsConfiguration). Offline: no AWS call, managed policies by ARN.

    python3 infra/sam/translate.py template.yaml
"""

import json
import os
import sys

os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-3")

from samtranslator.translator.transform import transform  # noqa: E402
from samtranslator.yaml_helper import yaml_parse  # noqa: E402


class OfflinePolicies:
    """The template names its policies by ARN or !Ref: nothing to look up in IAM."""

    def load(self):
        return {}


def main(path):
    with open(path, encoding="utf-8") as f:
        tpl = yaml_parse(f.read())
    # As `sam package` does: each local CodeUri becomes the S3 object it is uploaded to.
    for res in tpl.get("Resources", {}).values():
        props = res.get("Properties") or {}
        uri = props.get("CodeUri")
        if res.get("Type") == "AWS::Serverless::Function" and isinstance(uri, str) and not uri.startswith("s3://"):
            props["CodeUri"] = "s3://sam-package/" + uri.strip("/")
    out = transform(tpl, {}, OfflinePolicies())
    json.dump(out, sys.stdout, indent=1, sort_keys=True, default=str)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "template.yaml")
