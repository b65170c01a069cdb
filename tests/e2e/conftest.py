def pytest_addoption(parser):
    parser.addoption("--lakeshare-bin", action="store", default=None)
