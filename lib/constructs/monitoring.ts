// Alarms an operator acts on, and one dashboard. Alarms: a job in any DLQ (mail that will not be
// delivered without help), jobs waiting too long, delivery Lambda errors, unhealthy NLB targets.
// They notify an SNS topic; docs/deploy.md shows how to subscribe to it.
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FargateMailService } from './fargate-mail-service.js';

export interface MonitoredQueue {
  readonly name: string;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  /** Alarm when the oldest job has waited this long. */
  readonly maxAge: Duration;
}

export interface MonitoredTargetGroup {
  readonly name: string;
  readonly targetGroup: elbv2.NetworkTargetGroup;
}

export interface MailMonitoringProps {
  readonly queues: readonly MonitoredQueue[];
  readonly deliveryFunction: lambda.IFunction;
  readonly targetGroups: readonly MonitoredTargetGroup[];
  readonly services: readonly FargateMailService[];
  /** Subscribe this address to the alarm topic. Default: none (subscribe later). */
  readonly alarmEmail?: string;
}

export class MailMonitoring extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MailMonitoringProps) {
    super(scope, id);
    this.alarmTopic = new sns.Topic(this, 'Alarms', { enforceSSL: true });
    Validations.of(this.alarmTopic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        "Alarm notices carry no mail content; CloudWatch cannot publish to a topic under the AWS-managed SNS key, and a customer key would cost more than the rest of an idle deployment's monitoring.",
    });
    if (props.alarmEmail !== undefined) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const notify = new actions.SnsAction(this.alarmTopic);
    const alarm = (alarmId: string, options: cloudwatch.AlarmProps): cloudwatch.Alarm => {
      const created = new cloudwatch.Alarm(this, alarmId, options);
      created.addAlarmAction(notify);
      created.addOkAction(notify);
      this.alarms.push(created);
      return created;
    };

    for (const { name, queue, deadLetterQueue, maxAge } of props.queues) {
      alarm(`${name}DeadLetters`, {
        alarmDescription: `${name} jobs reached the dead-letter queue: mail is stuck; inspect and redrive (docs/deploy.md).`,
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm(`${name}OldestJob`, {
        alarmDescription: `${name} jobs are waiting longer than ${maxAge.toHumanString()}: the consumer is failing or too slow.`,
        metric: queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: maxAge.toSeconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    alarm('DeliveryErrors', {
      alarmDescription: 'The delivery function failed invocations (not per-message failures, which retry): see its logs.',
      metric: props.deliveryFunction.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const { name, targetGroup } of props.targetGroups) {
      alarm(`${name}UnhealthyTargets`, {
        alarmDescription: `Tasks behind the ${name} listener fail health checks.`,
        metric: targetGroup.metrics.unHealthyHostCount({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // Three minutes: a deployment's replacement task is briefly unhealthy by design.
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(6) });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Queued jobs',
        left: props.queues.flatMap(({ name, queue, deadLetterQueue }) => [
          queue.metricApproximateNumberOfMessagesVisible({ label: name }),
          deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: `${name} DLQ` }),
        ]),
      }),
      new cloudwatch.GraphWidget({
        title: 'Oldest job age (s)',
        left: props.queues.map(({ name, queue }) => queue.metricApproximateAgeOfOldestMessage({ label: name })),
      }),
      new cloudwatch.GraphWidget({
        title: 'Delivery function',
        left: [props.deliveryFunction.metricInvocations(), props.deliveryFunction.metricErrors()],
        right: [props.deliveryFunction.metricDuration({ statistic: cloudwatch.Stats.p(99) })],
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Service CPU %',
        left: props.services.map((service) => service.service.metricCpuUtilization({ label: service.node.id })),
      }),
      new cloudwatch.GraphWidget({
        title: 'Open sessions per task',
        left: props.services.map((service) => service.connectionMetric.with({ label: service.node.id })),
      }),
      new cloudwatch.GraphWidget({
        title: 'Healthy targets',
        left: props.targetGroups.map(({ name, targetGroup }) => targetGroup.metrics.healthyHostCount({ label: name })),
      }),
    );
  }
}
