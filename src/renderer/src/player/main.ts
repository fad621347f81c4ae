import { createApp } from 'vue'
import { createPinia } from 'pinia'
import PlayerApp from './PlayerApp.vue'
import '../styles.css'

createApp(PlayerApp).use(createPinia()).mount('#app')
