import { useEffect, useState } from 'react';

export interface Route {
  page: string;
  params: URLSearchParams;
}

function parse(hash: string): Route {
  const [page = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  return { page, params: new URLSearchParams(search) };
}

/** Client-side pages in the URL hash (#/trace?q=200001), so the server serves one index.html. */
export function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parse(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parse(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
