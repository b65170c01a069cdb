import { useState } from 'preact/hooks';

import { login } from '../api.js';
import { ErrorAlert, Field, useAction } from '../ui.jsx';

const NOTICES = {
  expired: 'Your session has expired or was ended. Log in again to continue.',
  logout: 'You have logged out.',
};

export function LoginPage({ notice }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const submit = async (e) => {
    e.preventDefault();
    // On success the app leaves this page for the one the user was going to.
    await action.run(() => login(username, password));
  };
  return (
    <main id="main" class="login">
      <h1 tabIndex={-1}>Log in to lakeshare</h1>
      {notice && NOTICES[notice] && (
        <p role="status" class="notice">
          {NOTICES[notice]}
        </p>
      )}
      <form onSubmit={submit} class="card">
        <Field
          label="User name"
          value={username}
          onInput={setUsername}
          autocomplete="username"
          required
        />
        <Field
          label="Password"
          type="password"
          value={password}
          onInput={setPassword}
          autocomplete="current-password"
          required
        />
        <ErrorAlert error={action.error} />
        <button type="submit" class="primary" disabled={action.busy}>
          {action.busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p class="muted">
        Admin users are created with <code>lakeshare create-admin-user</code> or by an admin on
        the Users page.
      </p>
    </main>
  );
}
