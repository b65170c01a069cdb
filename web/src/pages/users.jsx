// Admin users and roles (admins only: the API refuses viewers, and the page
// says so instead of showing controls).
import { useState } from 'preact/hooks';

import { api, enc } from '../api.js';
import {
  ConfirmButton,
  ErrorAlert,
  Field,
  Loading,
  Select,
  fmtTime,
  useAction,
  useAsync,
} from '../ui.jsx';

const ROLES = [
  ['viewer', 'Viewer (read-only)'],
  ['admin', 'Admin'],
];

function CreateUserForm({ onCreated }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('viewer');
  const action = useAction();
  const submit = async (e) => {
    e.preventDefault();
    const r = await action.run(() => api('POST', '/users', { body: { name, password, role } }));
    if (r.ok) {
      setName('');
      setPassword('');
      onCreated();
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="create-user-title">
      <h2 id="create-user-title">Create a user</h2>
      <Field label="User name" value={name} onInput={setName} required autocomplete="off" />
      <Field
        label="Password"
        type="password"
        value={password}
        onInput={setPassword}
        required
        minLength={12}
        autocomplete="new-password"
        hint="At least 12 characters."
      />
      <Select label="Role" value={role} onChange={setRole} options={ROLES} />
      <ErrorAlert error={action.error} />
      <button type="submit" class="primary" disabled={action.busy}>
        Create user
      </button>
    </form>
  );
}

function UserRow({ user, self, onChanged }) {
  const [role, setRole] = useState(user.role);
  const [password, setPassword] = useState('');
  const action = useAction();
  const save = async (e) => {
    e.preventDefault();
    const body = { version: user.version };
    if (role !== user.role) body.role = role;
    if (password) body.password = password;
    const r = await action.run(() => api('PATCH', `/users/${enc(user.name)}`, { body }));
    if (r.ok) {
      setPassword('');
      onChanged();
    }
  };
  return (
    <tr>
      <th scope="row">
        {user.name}
        {self ? ' (you)' : ''}
      </th>
      <td>{user.role}</td>
      <td>{fmtTime(user.createdAt)}</td>
      <td>
        <form class="inline" onSubmit={save} aria-label={`Change ${user.name}`}>
          <Select label={`Role of ${user.name}`} value={role} onChange={setRole} options={ROLES} />
          <Field
            label={`New password for ${user.name}`}
            type="password"
            value={password}
            onInput={setPassword}
            minLength={12}
            autocomplete="new-password"
          />
          <button type="submit" disabled={action.busy}>
            Save {user.name}
          </button>
        </form>
        <ErrorAlert error={action.error} />
      </td>
      <td>
        {!self && (
          <ConfirmButton
            label={`Delete ${user.name}`}
            title={`Delete user ${user.name}?`}
            message={`User ${user.name} (${user.role}) goes, and every session of theirs ends at once.`}
            confirmLabel={`Delete ${user.name}`}
            onConfirm={async () => {
              await api('DELETE', `/users/${enc(user.name)}`);
              onChanged();
            }}
          />
        )}
      </td>
    </tr>
  );
}

export function UsersPage({ session }) {
  const admin = session.role === 'admin';
  const list = useAsync((signal) => (admin ? api('GET', '/users', { signal }) : null), [admin]);
  if (!admin) {
    return (
      <>
        <h1 tabIndex={-1}>Users</h1>
        <p>Only admins see and manage users.</p>
      </>
    );
  }
  const items = list.data ? list.data.items : [];
  return (
    <>
      <h1 tabIndex={-1}>Users</h1>
      <Loading state={list} />
      {items.length > 0 && (
        <table class="data">
          <caption>Admin users</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Created</th>
              <th scope="col">Change</th>
              <th scope="col">Delete</th>
            </tr>
          </thead>
          <tbody>
            {items.map((u) => (
              <UserRow
                key={`${u.name}-${u.version}`}
                user={u}
                self={u.name === session.username}
                onChanged={list.reload}
              />
            ))}
          </tbody>
        </table>
      )}
      <CreateUserForm onCreated={list.reload} />
    </>
  );
}
