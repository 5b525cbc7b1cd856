"""Log-in edge: the OAuth2 token and revoke endpoints and who-am-I."""
