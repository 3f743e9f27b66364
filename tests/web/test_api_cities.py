def test_search_says_what_it_found(client):
    body = client.get("/api/v1/cities/search?q=Jyvaskyla").get_json()
    assert body["status"] == "found"
    assert body["message"] == "Jyväskylä (FI, fi-jyvaskyla)"


def test_search_says_when_no_city_has_the_name(client):
    body = client.get("/api/v1/cities/search?q=Qwxzvbn").get_json()
    assert body["status"] == "not_found"
    assert body["message"] == "No city called “Qwxzvbn”."
