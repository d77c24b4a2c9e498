import type { Metadata } from 'next';
import { HistoryView } from '@/components/history/HistoryView';
import '../styles/charts.css';
import '../styles/history.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'History' };

export default function HistoryPage() {
  return <HistoryView />;
}
