// A router of two pages does not need a library: the path is state, links are real anchors (so the keyboard, middle
// click and "open in new tab" work), and history.pushState moves between them.
import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useState } from 'react';

const NAVIGATE_EVENT = 'reelpost:navigate';

export function navigate(to: string): void {
  window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
  window.scrollTo?.(0, 0);
}

/** Changes the URL in place (no new history entry), e.g. to drop single-use parameters; the page follows. */
export function replaceLocation(to: string): void {
  window.history.replaceState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

export interface Location {
  pathname: string;
  search: string;
}

function currentLocation(): Location {
  return { pathname: window.location.pathname, search: window.location.search };
}

export function useLocation(): Location {
  const [location, setLocation] = useState(currentLocation);
  useEffect(() => {
    const update = () => setLocation(currentLocation());
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE_EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE_EVENT, update);
    };
  }, []);
  return location;
}

export type Route = { page: 'tasks' } | { page: 'task'; taskId: string } | { page: 'not-found' };

export function matchRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '' || pathname === '/tasks' || pathname === '/tasks/') return { page: 'tasks' };
  const task = /^\/tasks\/([^/]+)\/?$/.exec(pathname);
  if (task?.[1]) return { page: 'task', taskId: decodeURIComponent(task[1]) };
  return { page: 'not-found' };
}

export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={follow} {...rest} />;
}
