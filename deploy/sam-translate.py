#!/usr/bin/env python3
"""Runs the AWS SAM translator (aws-sam-translator) on a template and prints the CloudFormation it becomes.

usage: sam-translate.py TEMPLATE [OUTPUT.json]

Exit 0 with the transformed template as JSON; exit 1 with the translator's errors on stderr; exit 3 when
aws-sam-translator is not installed (the message says what to install). No AWS call is made: the template
names no managed policies by name, so no IAM lookup is needed (a policy name would be reported, not fetched).
A local CodeUri (a template not yet packaged) is translated as the S3 object that packaging uploads it to,
s3://PACKAGING-BUCKET/<path>, as CloudFormation only ever sees packaged templates.
"""
import json
import os
import sys


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        from samtranslator.model.exceptions import InvalidDocumentException
        from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
        from samtranslator.translator.transform import transform
        from samtranslator.yaml_helper import yaml_parse
    except ImportError:
        print("aws-sam-translator is not installed: pip install aws-sam-translator==1.110.0 "
              "(Python 3.8 or newer)", file=sys.stderr)
        return 3

    class NoLookups(ManagedPolicyLoader):
        """Refuses IAM lookups: every managed policy must be given by ARN."""

        def __init__(self):
            super().__init__(None)

        def load(self):
            raise RuntimeError("the template names a managed policy by name; give its ARN instead")

    # The translator asks boto3 for a region (it only picks the ARN partition from it); CloudFormation gives the
    # real one at deploy time, so any commercial region will do when none is configured.
    if not (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")):
        os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
    with open(argv[1], encoding="utf-8") as f:
        template = yaml_parse(f.read())
    for resource in template.get("Resources", {}).values():
        props = resource.get("Properties") or {}
        code = props.get("CodeUri")
        if resource.get("Type") == "AWS::Serverless::Function" and isinstance(code, str) \
                and not code.startswith("s3://"):
            props["CodeUri"] = "s3://PACKAGING-BUCKET/" + code.lstrip("./")
    try:
        result = transform(template, {}, NoLookups())
    except InvalidDocumentException as e:
        for cause in e.causes:
            print("SAM: " + cause.message, file=sys.stderr)
        return 1
    text = json.dumps(result, indent=1, sort_keys=True)
    if len(argv) > 2:
        with open(argv[2], "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
