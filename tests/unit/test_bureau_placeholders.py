"""Issue 12 item 7: the shipped example contacts of rules/bureau.yaml are found, by key, before they go public."""

from __future__ import annotations

from credit.rules import Bureau


def test_the_shipped_bureau_yaml_still_holds_example_contacts_named_by_key():
    assert Bureau.load().placeholders() == ["notices.sender", "objections.address", "objections.email",
                                            "objections.phone"]


def test_a_filled_in_bureau_has_no_placeholders():
    bureau = Bureau({"bureau": "晋城市生态环境局", "website": "https://sthjj.jcgov.gov.cn",
                     "counties": ["城区"], "objections": {"address": "晋城市某路1号", "email": "xy@sthjj.jcgov.gov.cn",
                                                         "phone": "0356-0000000"},
                     "notices": {"sender": "xy@sthjj.jcgov.gov.cn", "number": "晋环信告〔{year}〕{sequence}号"}}, {})
    assert bureau.placeholders() == []


def test_values_marked_as_examples_or_in_the_example_domain_are_placeholders():
    bureau = Bureau({"website": "https://www.example.org", "objections": {"address": "（示例）某路", "email": "a@b.cn"},
                     "notices": {"sender": "x@mail.example"}, "other": "an address (example)"}, {})
    assert bureau.placeholders() == ["notices.sender", "objections.address", "other", "website"]
