/** @module The project header with its tabs, shared by the project's pages. */
import type { ReactNode } from 'react';
import type { Project } from '../../../src/api/resources.js';
import { api, slugPath } from '../api/http.js';
import { ErrorView, Loading, PageHeader, Tabs } from '../components/ui.js';
import { useLoad } from '../hooks.js';
import { paths } from '../router.js';

export function useProject(slug: string) {
  return useLoad(() => api<Project>('GET', slugPath(slug)), [slug]);
}

export function ProjectShell(props: { slug: string; current: string; children(project: Project): ReactNode; title?: ReactNode; crumbs?: Array<{ to: string; label: string }>; actions?: ReactNode }) {
  const project = useProject(props.slug);
  if (project.error) return <ErrorView error={project.error} />;
  if (!project.data) return <Loading />;
  const p = project.data;
  return (
    <>
      <PageHeader
        crumbs={[{ to: paths.projects(), label: 'Projects' }, ...(props.crumbs ?? [])]}
        title={props.title ?? p.name}
        subtitle={<span className="mono small">{p.slug} · {p.vcs_info.vcs_url}</span>}
        actions={props.actions}
      />
      <Tabs current={props.current} items={[{ to: paths.project(p.slug), label: 'Pipelines' }, { to: paths.projectSettings(p.slug), label: 'Project settings' }]} />
      {props.children(p)}
    </>
  );
}
