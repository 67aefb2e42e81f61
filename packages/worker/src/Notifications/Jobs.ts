/** The notifications feature's jobs: delivery on the channels beyond in-app. */
export const NotificationsJobs = [] as const
