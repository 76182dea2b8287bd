def test_the_start_page_greets_a_signed_in_coach(client_for):
    response = client_for("coach.nassjo").get("/")

    assert response.status_code == 200
    assert "Maja" in response.content.decode()
