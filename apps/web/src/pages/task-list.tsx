import { useInfiniteQuery } from '@tanstack/react-query';
import { useApi } from '../api.js';
import { ErrorNotice } from '../errors.js';
import { formatDateTime, humanize } from '../format.js';
import { Link } from '../router.js';

export function TaskListPage() {
  const client = useApi();
  const tasks = useInfiniteQuery({
    queryKey: ['tasks'],
    queryFn: ({ pageParam }) => client.tasks.list.query({ cursor: pageParam, limit: 20 }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });

  return (
    <main id="main" className="page">
      <h1>Tasks</h1>
      {tasks.isPending && <p className="muted">Loading tasks…</p>}
      {tasks.isError && <ErrorNotice error={tasks.error} title="Could not load the tasks." />}
      {tasks.isSuccess && tasks.data.pages[0]?.items.length === 0 && <p>No tasks yet.</p>}
      {tasks.isSuccess && (
        <ul className="task-list">
          {tasks.data.pages.flatMap((page) =>
            page.items.map((task) => (
              <li key={task.id} className="card task-item">
                <Link href={`/tasks/${task.id}`} className="task-link">
                  {task.title ?? humanize(task.type)}
                </Link>
                <p className="small">
                  <span className={`badge badge-task-${task.status}`}>{task.status}</span>{' '}
                  {task.hasVideo && <span className="badge">video</span>}{' '}
                  {task.tiktokStatus && <span className={`badge badge-${task.tiktokStatus.toLowerCase()}`}>TikTok: {humanize(task.tiktokStatus)}</span>}
                </p>
                <p className="muted small">
                  {humanize(task.type)} · created {formatDateTime(task.createdAt)}
                </p>
              </li>
            )),
          )}
        </ul>
      )}
      {tasks.hasNextPage && (
        <button type="button" onClick={() => void tasks.fetchNextPage()} disabled={tasks.isFetchingNextPage}>
          {tasks.isFetchingNextPage ? 'Loading…' : 'More tasks'}
        </button>
      )}
    </main>
  );
}
