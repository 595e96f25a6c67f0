"""``SES_NATS__URL`` names one server or a cluster's servers separated by commas."""

from ses_core.platform.messaging.jetstream import server_urls


def test_one_url_is_one_server():
    assert server_urls("nats://127.0.0.1:4222") == ["nats://127.0.0.1:4222"]


def test_a_cluster_is_a_comma_separated_list_with_spaces_forgiven():
    assert server_urls("nats://a:4222, nats://b:4222,,nats://c:4222 ") == [
        "nats://a:4222",
        "nats://b:4222",
        "nats://c:4222",
    ]
