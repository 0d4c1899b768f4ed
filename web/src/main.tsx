import { render } from 'preact';
import './styles.css';
import { start } from './state/app';
import { startFunds } from './state/funds';
import { App } from './ui/App';

render(<App />, document.getElementById('app')!);
start();
startFunds();
