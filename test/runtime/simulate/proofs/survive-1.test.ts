import { surviveHalf } from './survivors.js';

surviveHalf(0);
