import type { Metadata } from 'next';
import { HistoryView } from '@/components/history/HistoryView';
import { signedIn } from '@/lib/server/auth/page';
import '../../styles/charts.css';
import '../../styles/history.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'History' };

export default async function HistoryPage() {
  await signedIn();
  return <HistoryView />;
}
