"""Concurrent users on the local stack: each request runs in a container of its own, as on
Lambda, so no user ever sees another's data, however their requests overlap."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.e2e.conftest import LocalStack

pytestmark = pytest.mark.e2e
USERS = 8


def _journey(stack: LocalStack, user: str) -> tuple[str, str, list[str], str]:
    token = stack.token(user)
    company = f"Company of {user}"
    put = stack.request(
        "PUT", "/me", token=token, json={"display_name": user, "emails": [f"{user}@example.com"]}
    )
    assert put.status == 200, put.body
    created = stack.request(
        "POST", "/rejections", token=token, json={"company": company, "role": "Engineer"}
    )
    assert created.status == 201, created.body
    listed = stack.request("GET", "/rejections", token=token)
    assert listed.status == 200, listed.body
    profile = stack.request("GET", "/me", token=token).json()
    return user, company, [r["company"] for r in listed.json()["items"]], profile["display_name"]


def test_concurrent_first_requests_of_different_users_stay_apart(local_stack: LocalStack) -> None:
    run = uuid.uuid4().hex[:8]
    users = [f"iso-{run}-{i}" for i in range(USERS)]

    with ThreadPoolExecutor(max_workers=USERS) as pool:
        results = list(pool.map(lambda u: _journey(local_stack, u), users))

    for user, company, companies, display_name in results:
        assert companies == [company], f"{user} sees {companies}"
        assert display_name == user


def test_concurrent_transactions_on_the_embedded_aws_never_fail_inside_it(
    local_stack: LocalStack,
) -> None:
    """DynamoDB runs each transaction atomically; the embedded AWS must not answer a 500
    (an InternalServerError) when several run at once on the same items."""
    info = local_stack.info()
    client = boto3.client(
        "dynamodb",
        endpoint_url=info["aws_endpoint"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )
    table = info["table_name"]
    key = f"ISO#{uuid.uuid4().hex}"

    def transact(i: int) -> str:
        try:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": table,
                            "Item": {"PK": {"S": key}, "SK": {"S": f"A#{i % 4}"}, "n": {"N": "1"}},
                        }
                    },
                    {
                        "Update": {
                            "TableName": table,
                            "Key": {"PK": {"S": key}, "SK": {"S": "COUNTER"}},
                            "UpdateExpression": "ADD n :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}},
                        }
                    },
                ]
            )
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "ok"

    def put(i: int) -> str:
        # Plain writes beside the transactions: the table changes while they run.
        client.put_item(
            TableName=table, Item={"PK": {"S": key}, "SK": {"S": f"B#{i}"}, "n": {"N": "1"}}
        )
        return "ok"

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(lambda i: transact(i) if i % 2 else put(i), range(160)))

    assert outcomes == ["ok"] * 160
    counter = client.get_item(TableName=table, Key={"PK": {"S": key}, "SK": {"S": "COUNTER"}})
    assert counter["Item"]["n"] == {"N": "80"}
