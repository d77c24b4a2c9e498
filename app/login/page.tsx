import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { LoginForm } from '@/components/auth/LoginForm';
import { safeNextPath } from '@/lib/model/next-path';
import { visitor } from '@/lib/server/auth/page';
import '../styles/auth.css';

export const metadata: Metadata = { title: 'Sign in' };

type Props = { searchParams: Promise<{ next?: string | string[]; error?: string | string[] }> };

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

export default async function LoginPage({ searchParams }: Props) {
  const params = await searchParams;
  const next = safeNextPath(first(params.next));
  const { principal, runtime } = await visitor();
  if (principal) redirect(next);
  return (
    <main className="login">
      <div className="login__card">
        <div className="login__brand">
          <svg viewBox="0 0 16 16" width="20" height="20" aria-hidden="true" focusable="false">
            <path d="M2 4h5l3 4h4M2 12h5l3-4" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
          Switchyard
        </div>
        <h1 className="login__title">Sign in</h1>
        <LoginForm next={next} initialError={first(params.error)?.slice(0, 300) ?? null} />
        {runtime.oidc.enabled && (
          <>
            <p className="login__divider">or</p>
            <a className="button login__sso" href={`/api/v1/auth/oidc/start?next=${encodeURIComponent(next)}`}>
              Sign in with {runtime.oidc.displayName}
            </a>
          </>
        )}
      </div>
    </main>
  );
}
