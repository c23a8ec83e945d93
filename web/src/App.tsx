import type { ComponentType } from 'react';
import { useHashPath } from './router';
import { Commands } from './pages/Commands';
import { Inference } from './pages/Inference';
import { Jobs } from './pages/Jobs';
import { Lab } from './pages/Lab';
import { Runs } from './pages/Runs';
import { Studio } from './pages/Studio';
import { Telemetry } from './pages/Telemetry';

export interface Page {
  path: string;
  title: string;
  component: ComponentType;
}

/** Every page of the SPA. Jobs, Telemetry, Commands and Inference (later issues) add a line here. */
export const PAGES: Page[] = [
  { path: '/', title: 'Preprocessing Studio', component: Studio },
  { path: '/commands', title: 'Command Builder', component: Commands },
  { path: '/inference', title: 'Inference Studio', component: Inference },
  { path: '/runs', title: 'Runs', component: Runs },
  { path: '/lab', title: 'Evaluation', component: Lab },
  { path: '/jobs', title: 'Jobs', component: Jobs },
  { path: '/telemetry', title: 'Telemetry', component: Telemetry },
];

function NotFound() {
  return (
    <main className="page">
      <h1>Not found</h1>
      <p>
        There is no page here. <a href="#/">Back to the Studio</a>.
      </p>
    </main>
  );
}

export function App() {
  const path = useHashPath();
  const page = PAGES.find((p) => p.path === path);
  const Component = page?.component ?? NotFound;
  return (
    <>
      <header className="topbar">
        <span className="brand">ocr-playground</span>
        <nav aria-label="Pages">
          {PAGES.map((p) => (
            <a key={p.path} href={`#${p.path}`} aria-current={p.path === path ? 'page' : undefined}>
              {p.title}
            </a>
          ))}
        </nav>
      </header>
      <Component />
    </>
  );
}
