/** @module The projects list (and, for admins, adding a project). */
import { useState, type FormEvent } from 'react';
import type { Paged, Project } from '../../../src/api/resources.js';
import { api } from '../api/http.js';
import { ErrorView, Loading, PageHeader } from '../components/ui.js';
import { useLoad } from '../hooks.js';
import { Link, paths } from '../router.js';
import type { Me } from '../session.js';

export function ProjectsPage(props: { me: Me }) {
  const projects = useLoad(() => api<Paged<Project>>('GET', '/api/v2/project'), []);
  const [adding, setAdding] = useState(false);
  return (
    <>
      <PageHeader title="Projects" actions={props.me.role === 'admin' ? <button className="button" onClick={() => setAdding(!adding)}>Add project</button> : null} />
      {adding ? <AddProject onAdded={() => { setAdding(false); projects.reload(); }} /> : null}
      {projects.error ? <ErrorView error={projects.error} /> : null}
      {!projects.data && !projects.error ? <Loading /> : null}
      {projects.data && projects.data.items.length === 0 ? <div className="empty">No projects yet.{props.me.role === 'admin' ? ' Add one with its git URL.' : ''}</div> : null}
      {projects.data && projects.data.items.length > 0 ? (
        <table className="table">
          <thead><tr><th>Project</th><th>Repository</th><th>Default branch</th><th /></tr></thead>
          <tbody>
            {projects.data.items.map((project) => (
              <tr key={project.id}>
                <td><Link to={paths.project(project.slug)} className="strong">{project.name}</Link><div className="muted small">{project.slug}</div></td>
                <td className="mono small">{project.vcs_info.vcs_url}</td>
                <td className="mono">{project.vcs_info.default_branch}</td>
                <td className="right"><Link to={paths.projectSettings(project.slug)}>Settings</Link></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

function AddProject(props: { onAdded(): void }) {
  const [name, setName] = useState('');
  const [repoUrl, setRepoUrl] = useState('');
  const [branch, setBranch] = useState('main');
  const [error, setError] = useState<unknown>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await api('POST', '/api/v2/project', { name, repo_url: repoUrl, default_branch: branch || undefined });
      props.onAdded();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <form className="card form form-inline" onSubmit={submit}>
      {error ? <ErrorView error={error} /> : null}
      <label>Name<input value={name} onChange={(e) => setName(e.target.value)} required /></label>
      <label>Git URL<input value={repoUrl} onChange={(e) => setRepoUrl(e.target.value)} required /></label>
      <label>Default branch<input value={branch} onChange={(e) => setBranch(e.target.value)} /></label>
      <button className="button button-primary" type="submit">Create</button>
    </form>
  );
}
