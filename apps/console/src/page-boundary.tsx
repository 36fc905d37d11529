import { Component } from 'react';
import type { ErrorInfo, ReactNode } from 'react';

/**
 * Keeps a page that fails to draw or to load its code (a chunk of an earlier build after the
 * cloud was updated and restarted under an open tab) from blanking the whole console: it says
 * what happened and offers a reload; the navigation stays. A new `page` starts over.
 */
export class PageBoundary extends Component<{ page: string; children: ReactNode }, { failed: string | null; page: string }> {
  state = { failed: null as string | null, page: this.props.page };

  static getDerivedStateFromError(error: unknown): Partial<{ failed: string }> {
    return { failed: error instanceof Error ? error.message : String(error) };
  }

  static getDerivedStateFromProps(props: { page: string }, state: { page: string }) {
    return props.page === state.page ? null : { failed: null, page: props.page };
  }

  componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('A console page failed', error, info.componentStack);
  }

  render(): ReactNode {
    if (this.state.failed === null) return this.props.children;
    return (
      <div role="alert" className="empty">
        <p>
          This page could not be shown: {this.state.failed}. If the cloud was updated since this tab opened, a reload brings the new
          console.
        </p>
        <button type="button" onClick={() => location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}
