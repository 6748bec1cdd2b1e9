"""Calls the local collector with boto3, as a Python user would, and prints what each call answered as JSON.

Usage: python3 boto3_client.py ENDPOINT MARKER
Credentials and region come from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION),
as README tells users to set them. Used by the collector's Boto3IT.
"""
import datetime
import json
import os
import sys
import time

import boto3
import botocore.auth
from botocore.exceptions import ClientError

endpoint, marker = sys.argv[1], sys.argv[2]
out = {"botocore": botocore.__version__}


def client(service, key=None, secret=None):
    if key is None and secret is None:
        return boto3.client(service, endpoint_url=endpoint)
    return boto3.client(service, endpoint_url=endpoint,
                        aws_access_key_id=key or os.environ["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=secret or os.environ["AWS_SECRET_ACCESS_KEY"])


def refusal(call):
    try:
        call()
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
                "message": e.response["Error"].get("Message", "")}
    return {"code": None}


logs = client("logs")
group = "/boto3/" + marker
logs.create_log_group(logGroupName=group)
logs.create_log_stream(logGroupName=group, logStreamName="s1")
now = int(time.time() * 1000)
logs.put_log_events(logGroupName=group, logStreamName="s1",
                    logEvents=[{"timestamp": now, "message": "boto3 " + marker + " first"},
                               {"timestamp": now + 1, "message": "boto3 " + marker + " second"}])


def eventually(read, want):
    # Like CloudWatch Logs, the collector makes events readable shortly after it acknowledges them.
    deadline = time.time() + 60
    while True:
        got = read()
        if len(got) >= want or time.time() > deadline:
            return got
        time.sleep(0.5)


out["get"] = eventually(lambda: [e["message"] for e in logs.get_log_events(
    logGroupName=group, logStreamName="s1", startFromHead=True)["events"]], 2)
out["filter"] = eventually(lambda: [e["message"] for e in logs.filter_log_events(
    logGroupName=group, filterPattern="second")["events"]], 1)
out["groups"] = [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix="/boto3/")["logGroups"]]

firehose = client("firehose")
out["streams"] = firehose.list_delivery_streams()["DeliveryStreamNames"]
firehose.put_record(DeliveryStreamName="trailmark-access-logs",
                    Record={"Data": json.dumps({"client": "boto3", "marker": marker, "n": 1}) + "\n"})
batch = firehose.put_record_batch(DeliveryStreamName="trailmark-access-logs", Records=[
    {"Data": json.dumps({"client": "boto3", "marker": marker, "n": 2}) + "\n"},
    {"Data": json.dumps({"client": "boto3", "marker": marker, "n": 3}) + "\n"}])
out["batchFailed"] = batch["FailedPutCount"]

cloudwatch = client("cloudwatch")
out["cloudwatchProtocol"] = cloudwatch.meta.service_model.resolved_protocol \
    if hasattr(cloudwatch.meta.service_model, "resolved_protocol") else cloudwatch.meta.service_model.protocol
cloudwatch.put_metric_data(Namespace="Boto3/" + marker, MetricData=[
    {"MetricName": "latency", "Value": 12.5, "Unit": "Milliseconds",
     "Dimensions": [{"Name": "service", "Value": "checkout"}]}])
out["metricAwsNamespace"] = refusal(lambda: cloudwatch.put_metric_data(
    Namespace="AWS/EC2", MetricData=[{"MetricName": "x", "Value": 1.0}]))

xray = client("xray")
trace_id = "1-%08x-%s" % (int(time.time()), (marker + "0" * 24)[:24])
segment = {"name": "boto3-" + marker, "id": "70de5b6f19ff9a0a", "trace_id": trace_id,
           "start_time": time.time() - 1, "end_time": time.time()}
out["unprocessed"] = xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(segment)])["UnprocessedTraceSegments"]
out["traceId"] = trace_id

# What each kind of bad request is answered.
out["wrongSecret"] = refusal(lambda: client("logs", secret="not-the-secret").describe_log_groups())
out["unknownKey"] = refusal(lambda: client("logs", key="nobody").describe_log_groups())
out["wrongSecretMetrics"] = refusal(lambda: client("cloudwatch", secret="not-the-secret")
                                    .put_metric_data(Namespace="X", MetricData=[{"MetricName": "x", "Value": 1.0}]))
out["wrongSecretXRay"] = refusal(lambda: client("xray", secret="not-the-secret")
                                 .put_trace_segments(TraceSegmentDocuments=[json.dumps(segment)]))

real_now = botocore.auth.get_current_datetime
botocore.auth.get_current_datetime = lambda: real_now() - datetime.timedelta(minutes=20)
try:
    out["expired"] = refusal(lambda: client("logs").describe_log_groups())
finally:
    botocore.auth.get_current_datetime = real_now


def unsign_host(request, **kwargs):
    authorization = request.headers["Authorization"]
    if isinstance(authorization, bytes):
        authorization = authorization.decode("ascii")
    request.headers["Authorization"] = authorization.replace(";host;", ";")


unsigned_host = client("logs")
unsigned_host.meta.events.register("before-send.cloudwatch-logs.DescribeLogGroups", unsign_host)
out["hostNotSigned"] = refusal(lambda: unsigned_host.describe_log_groups())


def tamper(request, **kwargs):
    # Same length, so Content-Length still holds: only the signature can tell.
    request.body = request.body.replace(b"honest", b"forged")


tampered = client("logs")
tampered.meta.events.register("before-send.cloudwatch-logs.PutLogEvents", tamper)
out["tamperedBody"] = refusal(lambda: tampered.put_log_events(
    logGroupName=group, logStreamName="s1",
    logEvents=[{"timestamp": now + 2, "message": "boto3 " + marker + " honest"}]))

print(json.dumps(out))
