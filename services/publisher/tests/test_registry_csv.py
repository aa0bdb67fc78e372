"""The media registry's CSV survives a round trip through a spreadsheet without becoming a formula."""

from warta.publisher.registry import Contact, Outlet, OutletType, parse_csv, to_csv


def test_a_registry_exported_with_a_formula_like_name_imports_back_as_it_was():
    outlet = Outlet(name="=Radar Banten", type=OutletType.PRINT, press_council_verified=True)
    contact = Contact(email="redaksi@radarbanten.example", name="@Desk Kota", outlet_key=outlet.key, desk="+Kota")
    exported = to_csv([outlet], [contact])
    assert "'=Radar Banten" in exported
    assert "'@Desk Kota" in exported
    parsed = parse_csv(exported)
    assert parsed.problems == []
    assert [o.name for o in parsed.outlets] == ["=Radar Banten"]
    assert [(c.name, c.desk) for c in parsed.contacts] == [("@Desk Kota", "+Kota")]
