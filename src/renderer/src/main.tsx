import { createRoot } from 'react-dom/client';
import { App } from './App';
import { resolveApi } from './api/http-bridge';
import './styles.css';

createRoot(document.getElementById('root')!).render(<App api={resolveApi()} />);
