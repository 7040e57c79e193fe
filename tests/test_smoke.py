def test_welcome_page_for_anonymous(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Log in" in response.get_data(as_text=True)


def test_login_lands_on_home(client, world, login):
    login(world.trainee)
    response = client.get("/home")
    assert response.status_code == 200
    assert "Tina Trainee" in response.get_data(as_text=True)
